import { FormattedDate } from 'react-intl';
import { Link } from 'react-router';
import { useCan, useMe } from '../../app/session.js';
import { Badge } from '../../components/Badge.js';
import { Card } from '../../components/Card.js';
import { Icon, type IconName } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState } from '../../components/Status.js';
import type { MessageKey } from '../../i18n/messages.js';
import { roleKey, useT } from '../../i18n/useT.js';

interface Tile {
  to: string;
  icon: IconName;
  title: MessageKey;
  text: MessageKey;
  testId: string;
}

export function HomePage() {
  const t = useT();
  const me = useMe();
  const can = useCan();

  const tiles: Tile[] = [];
  if (can('agency.read'))
    tiles.push({
      to: '/agencies',
      icon: 'building',
      title: 'nav.agencies',
      text: 'home.tileAgencies',
      testId: 'tile-agencies',
    });
  if (can('user.read'))
    tiles.push({
      to: '/users',
      icon: 'users',
      title: 'nav.users',
      text: 'home.tileUsers',
      testId: 'tile-users',
    });
  if (can('audit.read'))
    tiles.push({
      to: '/audit',
      icon: 'audit',
      title: 'nav.audit',
      text: 'home.tileAudit',
      testId: 'tile-audit',
    });
  tiles.push({
    to: '/account',
    icon: 'user',
    title: 'nav.account',
    text: 'home.tileAccount',
    testId: 'tile-account',
  });

  return (
    <>
      <PageHeader
        title={t('home.welcome', { name: me.displayName || me.username })}
        meta={
          <span className="today">
            <Icon name="clock" size={16} />
            <FormattedDate value={new Date()} weekday="long" day="numeric" month="long" year="numeric" />
          </span>
        }
        description={t('home.lead')}
      />
      <div className="grid grid-home">
        <Card
          title={t('home.membershipsTitle')}
          description={t('home.membershipsLead')}
          testId="home-memberships"
        >
          {me.memberships.length === 0 ? (
            <EmptyState title={t('home.noMemberships')} />
          ) : (
            <ul className="membership-list">
              {me.memberships.map((m) => (
                <li key={m.id} className="membership">
                  <div className="membership-head">
                    <span className="membership-icon" aria-hidden="true">
                      <Icon name="building" size={20} />
                    </span>
                    <div>
                      <p className="membership-name">{m.agencyName}</p>
                      <p className="membership-code">{m.agencyCode}</p>
                    </div>
                  </div>
                  <ul className="role-list">
                    {m.roles.map((role) => (
                      <li key={role} className="role-item">
                        <Badge tone="accent">{t(roleKey(role))}</Badge>
                        <span className="role-desc">{t(`roleDesc.${role}`)}</span>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <div className="stack">
          <Card title={t('home.shortcutsTitle')}>
            <ul className="tiles">
              {tiles.map((tile) => (
                <li key={tile.to}>
                  <Link to={tile.to} className="tile" data-testid={tile.testId}>
                    <span className="tile-icon" aria-hidden="true">
                      <Icon name={tile.icon} size={22} />
                    </span>
                    <span className="tile-text">
                      <span className="tile-title">{t(tile.title)}</span>
                      <span className="tile-desc">{t(tile.text)}</span>
                    </span>
                    <Icon name="chevronRight" size={18} className="tile-chevron" />
                  </Link>
                </li>
              ))}
            </ul>
          </Card>
          <Card title={t('home.securityTitle')}>
            <ul className="plain-list">
              <li>
                <Icon name="lock" size={16} />
                <span>{t('home.securityMfa')}</span>
              </li>
              <li>
                <Icon name="clock" size={16} />
                <span>{t('home.securityIdle', { minutes: Math.round(me.idleTimeoutSeconds / 60) })}</span>
              </li>
              <li>
                <Icon name="audit" size={16} />
                <span>{t('home.securityAudit')}</span>
              </li>
            </ul>
          </Card>
        </div>
      </div>
    </>
  );
}
