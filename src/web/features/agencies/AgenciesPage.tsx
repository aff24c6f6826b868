import { useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '../../app/session.js';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { CheckboxField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { SearchBox, useDebounced } from '../../components/SearchBox.js';
import { EmptyState } from '../../components/Status.js';
import { useLocale } from '../../i18n/LocaleProvider.js';
import { agencyTypeKey, useLocalized, useT } from '../../i18n/useT.js';
import { AgencyFormDialog } from './AgencyFormDialog.js';
import { useAgencies } from './queries.js';

export function AgenciesPage() {
  const t = useT();
  const can = useCan();
  const localized = useLocalized();
  const { locale } = useLocale();
  const [q, setQ] = useState('');
  const [includeInactive, setIncludeInactive] = useState(false);
  const [creating, setCreating] = useState(false);
  const query = useDebounced(q.trim(), 300);
  const agencies = useAgencies({ q: query || undefined, includeInactive });

  return (
    <>
      <PageHeader
        title={t('agencies.title')}
        description={t('agencies.lead')}
        actions={
          can('agency.manage') ? (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setCreating(true)}
              data-testid="agency-create"
            >
              {t('agencies.create')}
            </Button>
          ) : null
        }
      />
      <Card>
        <div className="toolbar">
          <SearchBox
            label={t('agencies.search')}
            value={q}
            onChange={setQ}
            testId="agency-search"
            placeholder={t('agencies.searchPlaceholder')}
          />
          <CheckboxField
            label={t('agencies.includeInactive')}
            checked={includeInactive}
            onChange={(event) => setIncludeInactive(event.target.checked)}
            data-testid="agency-include-inactive"
          />
          {agencies.data ? (
            <p className="toolbar-count" aria-live="polite">
              {t('agencies.count', { count: agencies.data.total })}
            </p>
          ) : null}
        </div>
        <QueryState query={agencies} empty={<EmptyState icon="building" title={t('agencies.empty')} />}>
          {(data) => (
            <DataTable
              caption={t('agencies.title')}
              columns={[
                t('agencies.name'),
                t('agencies.code'),
                t('agencies.type'),
                t('agencies.region'),
                t('common.status'),
              ]}
              testId="agency-table"
            >
              {[...data.items]
                .sort((a, b) => localized(a.name).localeCompare(localized(b.name), locale))
                .map((agency) => (
                  <tr key={agency.id}>
                    <th scope="row" className="cell-primary">
                      <Link to={`/agencies/${agency.id}`}>{localized(agency.name)}</Link>
                    </th>
                    <td>
                      <code className="code-chip">{agency.code}</code>
                    </td>
                    <td>{t(agencyTypeKey(agency.type))}</td>
                    <td>{agency.region ?? <span className="muted">—</span>}</td>
                    <td>
                      {agency.active ? (
                        <Badge tone="success">{t('common.active')}</Badge>
                      ) : (
                        <Badge tone="neutral">{t('common.inactive')}</Badge>
                      )}
                    </td>
                  </tr>
                ))}
            </DataTable>
          )}
        </QueryState>
      </Card>
      {can('agency.manage') ? <AgencyFormDialog open={creating} onClose={() => setCreating(false)} /> : null}
    </>
  );
}
