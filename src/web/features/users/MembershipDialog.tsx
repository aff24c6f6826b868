import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Role } from '../../../shared/domain/access.js';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import type { UserT } from '../../api/types.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/ErrorText.js';
import { SelectField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { useToast } from '../../components/Toasts.js';
import { useLocalized, useT } from '../../i18n/useT.js';
import { useAgencyNames, usersKey } from './queries.js';
import { RoleCheckboxes } from './RoleCheckboxes.js';

/** Adds the user to an agency, or changes their roles there (PUT replaces the roles of one membership). */
export function MembershipDialog({
  user,
  membership,
  open,
  onClose,
}: {
  user: UserT;
  /** Editing this membership; adding a new one when absent. */
  membership?: UserT['memberships'][number] | undefined;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const toast = useToast();
  const localized = useLocalized();
  const queryClient = useQueryClient();
  const { agencies, nameOf } = useAgencyNames();
  const [agencyId, setAgencyId] = useState(membership?.agencyId ?? '');
  const [roles, setRoles] = useState<Role[]>(membership?.roles ?? []);
  const [localError, setLocalError] = useState<string | undefined>();

  useEffect(() => {
    if (open) {
      setAgencyId(membership?.agencyId ?? '');
      setRoles(membership?.roles ?? []);
      setLocalError(undefined);
    }
  }, [open, membership]);

  const save = useMutation({
    mutationFn: () => endpoints.putMembership(user.id, { agencyId, roles }, user.version),
    onSuccess: async (updated) => {
      queryClient.setQueryData([...usersKey, 'one', user.id], updated);
      await queryClient.invalidateQueries({ queryKey: usersKey });
      toast(t('membership.saved'));
      onClose();
    },
  });

  const close = () => {
    save.reset();
    onClose();
  };

  const taken = new Set(user.memberships.map((m) => m.agencyId));
  const choices = agencies.filter((a) => a.active && !taken.has(a.id));

  return (
    <Dialog
      open={open}
      onClose={close}
      title={membership ? t('membership.editTitle') : t('membership.addTitle')}
      description={
        membership
          ? t('membership.editLead', { agency: nameOf(membership.agencyId, membership.agencyCode) })
          : t('membership.addLead')
      }
      size="lg"
      testId="membership-dialog"
    >
      <form
        noValidate
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (!agencyId) {
            setLocalError(t('validation.required'));
            return;
          }
          if (!membership && roles.length === 0) {
            setLocalError(t('validation.chooseOne'));
            return;
          }
          setLocalError(undefined);
          save.mutate();
        }}
      >
        <FormError error={save.error} fields={['agencyId', 'roles']} />
        {membership ? null : (
          <SelectField
            label={t('users.agency')}
            required
            value={agencyId}
            data-testid="membership-agency"
            error={(!agencyId ? localError : undefined) ?? issueFor(save.error, 'agencyId')}
            onChange={(event) => {
              setAgencyId(event.target.value);
              setRoles([]);
            }}
          >
            <option value="">{t('users.chooseAgency')}</option>
            {choices.map((a) => (
              <option key={a.id} value={a.id}>
                {localized(a.name)}
              </option>
            ))}
          </SelectField>
        )}
        <RoleCheckboxes
          agencyId={agencyId || undefined}
          value={roles}
          onChange={setRoles}
          held={membership?.roles ?? []}
          error={(agencyId ? localError : undefined) ?? issueFor(save.error, 'roles')}
        />
        {membership && roles.length === 0 ? (
          <p className="field-hint">{t('membership.emptyRemoves')}</p>
        ) : null}
        <FormActions
          onCancel={close}
          busy={save.isPending}
          submitLabel={t('common.save')}
          testId="membership-save"
        />
      </form>
    </Dialog>
  );
}
