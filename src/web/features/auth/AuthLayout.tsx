import { type ReactNode, useEffect } from 'react';
import { SkipLink } from '../../app/Shell.js';
import { useMeta } from '../../app/session.js';
import { DemoBanner, ServiceBanner } from '../../components/Banners.js';
import { BrandMark, Icon } from '../../components/Icon.js';
import { LocaleSwitcher } from '../../components/LocaleSwitcher.js';
import { useT } from '../../i18n/useT.js';

/** The frame of the pages before sign-in: brand panel, language choice, one card with the form. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const t = useT();
  const meta = useMeta().data;

  useEffect(() => {
    document.title = `${title} · Halas`;
  }, [title]);

  return (
    <div className="auth-page">
      <SkipLink />
      <DemoBanner demo={meta?.demo} />
      <ServiceBanner />
      <div className="auth-grid">
        <aside className="auth-aside" aria-labelledby="auth-aside-title">
          <div className="auth-brand">
            <BrandMark size={44} />
            <div>
              <p className="auth-brand-name">Halas</p>
              <p className="auth-brand-tagline">{t('app.tagline')}</p>
            </div>
          </div>
          <div className="auth-aside-body">
            <h2 id="auth-aside-title" className="auth-aside-title">
              {t('auth.asideTitle')}
            </h2>
            <p>{t('auth.asideText')}</p>
            <ul className="auth-points">
              <li>
                <Icon name="lock" />
                <span>{t('auth.pointPrivacy')}</span>
              </li>
              <li>
                <Icon name="audit" />
                <span>{t('auth.pointAudit')}</span>
              </li>
              <li>
                <Icon name="globe" />
                <span>{t('auth.pointLanguages')}</span>
              </li>
            </ul>
          </div>
          <p className="auth-aside-footer">{meta?.version ? `Halas ${meta.version}` : 'Halas'}</p>
        </aside>
        <div className="auth-content">
          <div className="auth-toolbar">
            <LocaleSwitcher />
          </div>
          <main id="main" className="auth-main" tabIndex={-1}>
            <div className="auth-card">{children}</div>
          </main>
        </div>
      </div>
    </div>
  );
}
