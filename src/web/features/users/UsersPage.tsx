import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { UserCreatedT } from '../../api/types.js';
import { useCan } from '../../app/session.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { SearchBox, useDebounced } from '../../components/SearchBox.js';
import { EmptyState } from '../../components/Status.js';
import { useLocalized, useT } from '../../i18n/useT.js';
import { useAgencyNames, useUsers } from './queries.js';
import { SetupTokenDialog } from './SetupTokenDialog.js';
import { UserCreateDialog } from './UserCreateDialog.js';
import { UsersTable } from './UsersTable.js';

export function UsersPage() {
  const t = useT();
  const can = useCan();
  const navigate = useNavigate();
  const localized = useLocalized();
  // The agency filter is an id and may sit in the address; a search text (a person's name) never does.
  const [params, setParams] = useSearchParams();
  const agencyId = params.get('agencyId') ?? '';
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 300);
  const users = useUsers({ q: query || undefined, agencyId: agencyId || undefined });
  const { agencies } = useAgencyNames();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<UserCreatedT | null>(null);

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={t('users.lead')}
        actions={
          can('user.manage') ? (
            <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="user-create">
              {t('users.create')}
            </Button>
          ) : null
        }
      />
      <Card>
        <div className="toolbar">
          <SearchBox
            label={t('users.search')}
            placeholder={t('users.searchPlaceholder')}
            value={q}
            onChange={setQ}
            testId="user-search"
          />
          {agencies.length > 1 ? (
            <div className="toolbar-field">
              <label htmlFor="user-agency-filter" className="toolbar-label">
                {t('users.agency')}
              </label>
              <select
                id="user-agency-filter"
                className="input select"
                value={agencyId}
                data-testid="user-agency-filter"
                onChange={(event) => {
                  const next = new URLSearchParams(params);
                  if (event.target.value) next.set('agencyId', event.target.value);
                  else next.delete('agencyId');
                  setParams(next, { replace: true });
                }}
              >
                <option value="">{t('users.allAgencies')}</option>
                {agencies.map((a) => (
                  <option key={a.id} value={a.id}>
                    {localized(a.name)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {users.data ? (
            <p className="toolbar-count" aria-live="polite">
              {t('users.count', { count: users.data.total })}
            </p>
          ) : null}
        </div>
        <QueryState query={users} empty={<EmptyState icon="users" title={t('users.empty')} />}>
          {(data) => <UsersTable users={data.items} />}
        </QueryState>
      </Card>
      {can('user.manage') ? (
        <>
          <UserCreateDialog
            open={creating}
            defaultAgencyId={agencyId || undefined}
            onClose={() => setCreating(false)}
            onCreated={(result) => {
              setCreating(false);
              setCreated(result);
            }}
          />
          <SetupTokenDialog
            issued={created}
            userName={created?.user.displayName ?? ''}
            onClose={() => {
              const id = created?.user.id;
              setCreated(null);
              if (id) navigate(`/users/${id}`);
            }}
          />
        </>
      ) : null}
    </>
  );
}
