import { Link } from 'react-router';
import type { UserT } from '../../api/types.js';
import { Badge } from '../../components/Badge.js';
import { roleKey, useT } from '../../i18n/useT.js';
import { useAgencyNames } from './queries.js';
import { UserStateBadge } from './UserStateBadge.js';

/** Users with their agencies and roles; with `agencyId`, only the roles held in that agency. */
export function UsersTable({ users, agencyId }: { users: UserT[]; agencyId?: string }) {
  const t = useT();
  const { nameOf } = useAgencyNames();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="user-table">
        <caption className="visually-hidden">{t('users.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('users.displayName')}</th>
            <th scope="col">{t('users.username')}</th>
            <th scope="col">{agencyId ? t('users.roles') : t('users.agenciesAndRoles')}</th>
            <th scope="col">{t('common.status')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const memberships = agencyId
              ? user.memberships.filter((m) => m.agencyId === agencyId)
              : user.memberships;
            return (
              <tr key={user.id}>
                <th scope="row" className="cell-primary">
                  <Link to={`/users/${user.id}`}>{user.displayName}</Link>
                </th>
                <td>
                  <span className="mono">{user.username}</span>
                </td>
                <td>
                  {memberships.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <ul className="cell-memberships">
                      {memberships.map((m) => (
                        <li key={m.id}>
                          {agencyId ? null : (
                            <span className="cell-agency">{nameOf(m.agencyId, m.agencyCode)}</span>
                          )}
                          <span className="badge-row">
                            {m.roles.map((role) => (
                              <Badge key={role} tone="accent">
                                {t(roleKey(role))}
                              </Badge>
                            ))}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <UserStateBadge user={user} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
