import { ROLES, type Role } from '../../../shared/domain/access.js';
import { CheckboxField, FieldSet } from '../../components/Field.js';
import { Loading } from '../../components/Status.js';
import { roleKey, useT } from '../../i18n/useT.js';
import { useGrantableRoles } from './queries.js';

/**
 * The roles the caller may grant in one agency, as checkboxes (asked from the server). Roles the user
 * already holds that the caller may not grant stay shown, checked and locked.
 */
export function RoleCheckboxes({
  agencyId,
  value,
  onChange,
  error,
  held = [],
}: {
  agencyId: string | undefined;
  value: Role[];
  onChange: (roles: Role[]) => void;
  error?: string | undefined;
  held?: readonly Role[];
}) {
  const t = useT();
  const grantable = useGrantableRoles(agencyId);
  const allowed = new Set(grantable.data?.roles ?? []);
  const shown = ROLES.filter((role) => allowed.has(role) || held.includes(role));

  return (
    <FieldSet legend={t('users.roles')} hint={t('users.rolesHint')} error={error} className="role-fieldset">
      {!agencyId ? (
        <p className="muted">{t('users.chooseAgencyFirst')}</p>
      ) : grantable.isPending ? (
        <Loading inline />
      ) : shown.length === 0 ? (
        <p className="muted">{t('users.noGrantableRoles')}</p>
      ) : (
        <div className="checkbox-grid" data-testid="role-checkboxes">
          {shown.map((role) => (
            <CheckboxField
              key={role}
              label={t(roleKey(role))}
              hint={t(`roleDesc.${role}`)}
              checked={value.includes(role)}
              disabled={!allowed.has(role)}
              data-testid={`role-${role}`}
              onChange={(event) =>
                onChange(event.target.checked ? [...value, role] : value.filter((r) => r !== role))
              }
            />
          ))}
        </div>
      )}
    </FieldSet>
  );
}
