import type { ReactNode } from 'react';
import { FormattedDate } from 'react-intl';
import type { FieldClass } from '../../../shared/domain/fields.js';
import { Badge, BadgeRow } from '../../components/Badge.js';
import { DetailList } from '../../components/Card.js';
import { useT } from '../../i18n/useT.js';
import type { RevealedT } from './api.js';
import { useCodeNames } from './codes.js';

type Revealed = Required<RevealedT>;

function None() {
  const t = useT();
  return <span className="muted">{t('persons.notRecorded')}</span>;
}

function Lines({ items }: { items: { key: string; node: ReactNode }[] }) {
  if (!items.length) return <None />;
  return (
    <ul className="value-list">
      {items.map((item) => (
        <li key={item.key}>{item.node}</li>
      ))}
    </ul>
  );
}

function Notes({ text }: { text: string | undefined }) {
  return text?.trim() ? <p className="notes-text">{text}</p> : <None />;
}

function IdentityView({ value }: { value: Revealed['identity'] }) {
  const t = useT();
  const codes = useCodeNames();
  return (
    <DetailList
      items={[
        {
          key: 'names',
          label: t('identity.names'),
          value: (
            <Lines
              items={value.names.map((n, i) => ({
                key: `${i}`,
                node: (
                  <span className="value-with-badge">
                    <span className="revealed-name" data-testid={`revealed-name-${i}`}>
                      {n.value}
                    </span>
                    <Badge tone={n.kind === 'primary' ? 'accent' : 'neutral'}>
                      {t(`nameKind.${n.kind}`)}
                    </Badge>
                  </span>
                ),
              }))}
            />
          ),
        },
        {
          key: 'birthDate',
          label: t('identity.birthDate'),
          value: value.birthDate ? (
            <FormattedDate value={`${value.birthDate}T00:00:00Z`} dateStyle="long" timeZone="UTC" />
          ) : (
            <None />
          ),
        },
        {
          key: 'documents',
          label: t('identity.documents'),
          value: (
            <Lines
              items={(value.documents ?? []).map((d, i) => ({
                key: `${i}`,
                node: (
                  <span className="document-line">
                    <span>
                      {t(`docType.${d.type}`)} <span className="mono">{d.number}</span>
                    </span>
                    <span className="cell-sub">
                      {codes.country(d.issuingCountry)} · {t('identity.heldBy')}:{' '}
                      {d.heldBy === 'person' ? (
                        t(`docHolder.${d.heldBy}`)
                      ) : (
                        <Badge tone="warning">{t(`docHolder.${d.heldBy}`)}</Badge>
                      )}
                    </span>
                  </span>
                ),
              }))}
            />
          ),
        },
      ]}
    />
  );
}

function ContactView({ value }: { value: Revealed['contact'] }) {
  const t = useT();
  const s = value.safeContact;
  return (
    <DetailList
      items={[
        {
          key: 'phones',
          label: t('contact.phones'),
          value: (
            <Lines
              items={(value.phones ?? []).map((p, i) => ({
                key: `${i}`,
                node: (
                  <span className="value-with-badge">
                    <span className="mono">{p.number}</span>
                    {p.safeToCall ? (
                      <Badge tone="success">{t('contact.safeToCall')}</Badge>
                    ) : (
                      <Badge tone="danger">{t('contact.notSafeToCall')}</Badge>
                    )}
                  </span>
                ),
              }))}
            />
          ),
        },
        {
          key: 'addresses',
          label: t('contact.addresses'),
          value: (
            <Lines
              items={(value.addresses ?? []).map((a, i) => ({
                key: `${i}`,
                node: (
                  <span className="value-with-badge">
                    <span>{a.text}</span>
                    <Badge>{t(`addressKind.${a.kind}`)}</Badge>
                  </span>
                ),
              }))}
            />
          ),
        },
        {
          key: 'callBack',
          label: t('contact.safeToCallBack'),
          value: !s ? (
            <None />
          ) : s.safeToCallBack ? (
            <Badge tone="success">{t('common.yes')}</Badge>
          ) : (
            <Badge tone="danger">{t('common.no')}</Badge>
          ),
        },
        { key: 'times', label: t('contact.safeTimes'), value: s?.safeTimes ?? <None /> },
        {
          key: 'codeWord',
          label: t('contact.codeWord'),
          value: s?.codeWord ? <span className="mono">{s.codeWord}</span> : <None />,
        },
        {
          key: 'dnc',
          label: t('contact.doNotContactVia'),
          value: s?.doNotContactVia?.length ? (
            <BadgeRow items={s.doNotContactVia} label={(c) => t(`channel.${c}`)} tone="danger" />
          ) : (
            <None />
          ),
        },
      ]}
    />
  );
}

function ChildView({ value }: { value: Revealed['child'] }) {
  const t = useT();
  return (
    <DetailList
      items={[
        { key: 'guardian', label: t('child.guardianName'), value: value.guardianName ?? <None /> },
        {
          key: 'bia',
          label: t('child.bestInterests'),
          value: <Notes text={value.bestInterestsNotes} />,
        },
      ]}
    />
  );
}

/** The revealed fields of one class, read-only. */
export function ClassView({ cls, value }: { cls: FieldClass; value: Revealed[FieldClass] }) {
  switch (cls) {
    case 'identity':
      return <IdentityView value={value as Revealed['identity']} />;
    case 'contact':
      return <ContactView value={value as Revealed['contact']} />;
    case 'child':
      return <ChildView value={value as Revealed['child']} />;
    default:
      return <Notes text={(value as { notes: string }).notes} />;
  }
}
