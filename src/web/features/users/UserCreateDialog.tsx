import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import { UserCreate } from '../../../shared/contracts/admin.js';
import { LOCALES } from '../../../shared/domain/locales.js';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import type { UserCreatedT } from '../../api/types.js';
import { zodMessages } from '../../app/zodErrors.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/ErrorText.js';
import { SelectField, TextField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { useToast } from '../../components/Toasts.js';
import { useLocale } from '../../i18n/LocaleProvider.js';
import { LOCALE_NAMES } from '../../i18n/messages.js';
import { useT } from '../../i18n/useT.js';
import { useAgencyNames, usersKey } from './queries.js';
import { RoleCheckboxes } from './RoleCheckboxes.js';

type FormValues = z.input<typeof UserCreate>;
const FIELDS = ['username', 'displayName', 'locale', 'agencyId', 'roles'] as const;

export function UserCreateDialog({
  open,
  onClose,
  onCreated,
  defaultAgencyId,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (created: UserCreatedT) => void;
  defaultAgencyId?: string | undefined;
}) {
  const t = useT();
  const toast = useToast();
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const { agencies } = useAgencyNames();
  const [error, setError] = useState<unknown>(null);
  const activeAgencies = agencies.filter((a) => a.active);
  const firstAgency =
    defaultAgencyId ?? (activeAgencies.length === 1 ? activeAgencies[0]?.id : undefined) ?? '';

  const form = useForm<FormValues>({
    resolver: zodResolver(UserCreate, zodMessages(t)),
    values: { username: '', displayName: '', locale, agencyId: firstAgency, roles: [] },
  });
  const { errors } = form.formState;
  const agencyId = form.watch('agencyId');

  const create = useMutation({
    mutationFn: (values: FormValues) => endpoints.createUser(UserCreate.parse(values)),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: usersKey });
      toast(t('users.created'));
      form.reset();
      setError(null);
      onCreated(created);
    },
    onError: setError,
  });

  const close = () => {
    setError(null);
    form.reset();
    onClose();
  };

  return (
    <Dialog open={open} onClose={close} title={t('users.createTitle')} size="lg" testId="user-create-dialog">
      <form
        noValidate
        className="stack"
        onSubmit={form.handleSubmit((values) => {
          setError(null);
          create.mutate(values);
        })}
      >
        <FormError error={error} fields={FIELDS} />
        <div className="form-grid">
          <TextField
            label={t('users.displayName')}
            required
            autoComplete="off"
            data-testid="user-display-name"
            error={errors.displayName?.message ?? issueFor(error, 'displayName')}
            {...form.register('displayName')}
          />
          <TextField
            label={t('users.username')}
            hint={t('users.usernameHint')}
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            className="input input-mono"
            data-testid="user-username"
            error={errors.username?.message ?? issueFor(error, 'username')}
            {...form.register('username')}
          />
          <SelectField
            label={t('users.agency')}
            required
            data-testid="user-agency"
            error={errors.agencyId?.message ?? issueFor(error, 'agencyId')}
            {...form.register('agencyId', { onChange: () => form.setValue('roles', []) })}
          >
            <option value="">{t('users.chooseAgency')}</option>
            {activeAgencies.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name[locale] || a.code}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('users.language')}
            hint={t('users.languageHint')}
            data-testid="user-locale"
            error={errors.locale?.message ?? issueFor(error, 'locale')}
            {...form.register('locale')}
          >
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </SelectField>
        </div>
        <Controller
          control={form.control}
          name="roles"
          render={({ field, fieldState }) => (
            <RoleCheckboxes
              agencyId={agencyId || undefined}
              value={field.value}
              onChange={field.onChange}
              error={fieldState.error?.message ?? issueFor(error, 'roles')}
            />
          )}
        />
        <FormActions
          onCancel={close}
          busy={create.isPending}
          submitLabel={t('users.create')}
          testId="user-create-submit"
        />
      </form>
    </Dialog>
  );
}
