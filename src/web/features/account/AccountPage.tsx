import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { offersSecurityKeys, SECURITY_KEY_LABEL_MAX } from '../../../shared/contracts/auth.js';
import { isLocale, LOCALES, type Locale } from '../../../shared/domain/locales.js';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import type { SecurityKeyT } from '../../api/types.js';
import { meKey, useMe, useSession } from '../../app/session.js';
import { Alert } from '../../components/Alert.js';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataTable, DateTime } from '../../components/DataTable.js';
import { ErrorText, FormError, useErrorMessage } from '../../components/ErrorText.js';
import { SelectField, TextField } from '../../components/Field.js';
import { SubmitAction } from '../../components/FormActions.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { useToast } from '../../components/Toasts.js';
import { useLocale } from '../../i18n/LocaleProvider.js';
import { LOCALE_NAMES } from '../../i18n/messages.js';
import { useT } from '../../i18n/useT.js';
import { PasswordRules, useNewPasswordRules } from '../auth/PasswordRules.js';
import { browserSupportsKeys, createKey, keyErrorKey } from '../auth/securityKey.js';

function ProfileCard() {
  const t = useT();
  const me = useMe();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { setLocale } = useLocale();
  const form = useForm<{ displayName: string; locale: Locale }>({
    values: { displayName: me.displayName, locale: me.locale },
  });
  const save = useMutation({
    mutationFn: (values: { displayName: string; locale: Locale }) =>
      endpoints.patchMe({ displayName: values.displayName.trim(), locale: values.locale }),
    onSuccess: async (updated) => {
      queryClient.setQueryData(meKey, updated);
      await setLocale(updated.locale);
      toast(t('common.savedToast'));
    },
  });
  return (
    <Card title={t('account.profile')} description={t('account.profileLead')}>
      <form noValidate className="stack" onSubmit={form.handleSubmit((values) => save.mutate(values))}>
        <FormError error={save.error} fields={['displayName', 'locale']} />
        <TextField label={t('users.username')} value={me.username} readOnly className="input input-mono" />
        <TextField
          label={t('users.displayName')}
          required
          maxLength={120}
          data-testid="account-display-name"
          error={form.formState.errors.displayName?.message ?? issueFor(save.error, 'displayName')}
          {...form.register('displayName', {
            validate: (v) => v.trim().length > 0 || t('validation.required'),
          })}
        />
        <SelectField
          label={t('account.language')}
          hint={t('account.languageHint')}
          data-testid="account-locale"
          error={issueFor(save.error, 'locale')}
          {...form.register('locale', { validate: (v) => isLocale(v) })}
        >
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </SelectField>
        <SubmitAction busy={save.isPending} testId="account-save">
          {t('common.save')}
        </SubmitAction>
      </form>
    </Card>
  );
}

interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

function PasswordCard() {
  const t = useT();
  const passwordRules = useNewPasswordRules();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useForm<PasswordForm>({
    defaultValues: { currentPassword: '', newPassword: '', confirm: '' },
  });
  const { errors } = form.formState;
  const newPassword = form.watch('newPassword');
  const change = useMutation({
    mutationFn: (values: PasswordForm) =>
      endpoints.changePassword({ currentPassword: values.currentPassword, newPassword: values.newPassword }),
    onSuccess: async () => {
      form.reset();
      toast(t('account.passwordChanged'));
      await queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
  });
  return (
    <Card title={t('account.passwordTitle')} description={t('account.passwordLead')}>
      <form noValidate className="stack" onSubmit={form.handleSubmit((values) => change.mutate(values))}>
        <FormError error={change.error} fields={['currentPassword', 'newPassword']} />
        <TextField
          label={t('account.currentPassword')}
          type="password"
          autoComplete="current-password"
          required
          data-testid="account-current-password"
          error={errors.currentPassword?.message ?? issueFor(change.error, 'currentPassword')}
          {...form.register('currentPassword', { required: t('validation.required') })}
        />
        <TextField
          label={t('account.newPassword')}
          hint={<PasswordRules length={newPassword.length} />}
          type="password"
          autoComplete="new-password"
          required
          data-testid="account-new-password"
          error={errors.newPassword?.message ?? issueFor(change.error, 'newPassword')}
          {...form.register('newPassword', passwordRules.password)}
        />
        <TextField
          label={t('account.confirmPassword')}
          type="password"
          autoComplete="new-password"
          required
          data-testid="account-confirm-password"
          error={errors.confirm?.message}
          {...form.register(
            'confirm',
            passwordRules.confirm(() => form.getValues('newPassword')),
          )}
        />
        <SubmitAction busy={change.isPending} testId="account-change-password">
          {t('account.changePassword')}
        </SubmitAction>
      </form>
    </Card>
  );
}

function SessionsCard() {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { signOut } = useSession();
  const errorMessage = useErrorMessage();
  const [confirmAll, setConfirmAll] = useState(false);
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: ({ signal }) => endpoints.sessions(signal) });
  const end = useMutation({
    mutationFn: (id: string) => endpoints.endSession(id),
    onSuccess: async () => {
      toast(t('account.sessionEnded'));
      await queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
    onError: (error) => toast(errorMessage(error), 'error'),
  });
  const all = useMutation({
    mutationFn: () => endpoints.logoutAll(),
    onSuccess: () => signOut('signed_out_everywhere', true),
  });

  const list = sessions.data ? [...sessions.data].sort((a, b) => Number(b.current) - Number(a.current)) : [];

  return (
    <Card
      title={t('account.sessionsTitle')}
      description={t('account.sessionsLead')}
      actions={
        <Button
          variant="danger"
          size="sm"
          icon="logout"
          onClick={() => setConfirmAll(true)}
          data-testid="signout-all"
        >
          {t('account.signOutEverywhere')}
        </Button>
      }
    >
      <QueryState query={sessions}>
        {() => (
          <DataTable
            caption={t('account.sessionsTitle')}
            columns={[t('account.sessionStarted'), t('account.sessionLastSeen'), t('common.status')]}
            actions
            testId="session-table"
          >
            {list.map((session) => (
              <tr key={session.id}>
                <td>
                  <DateTime value={session.createdAt} />
                </td>
                <td>
                  <DateTime value={session.lastSeenAt} />
                </td>
                <td>
                  {session.current ? (
                    <Badge tone="success">{t('account.thisSession')}</Badge>
                  ) : (
                    <Badge tone="neutral">{t('account.otherSession')}</Badge>
                  )}
                </td>
                <td className="cell-actions">
                  {session.current ? (
                    <Button size="sm" icon="logout" onClick={() => signOut('signed_out')}>
                      {t('common.signOut')}
                    </Button>
                  ) : (
                    <Button
                      size="sm"
                      icon="logout"
                      busy={end.isPending && end.variables === session.id}
                      onClick={() => end.mutate(session.id)}
                      data-testid="session-end"
                    >
                      {t('account.endSession')}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
      <ConfirmDialog
        open={confirmAll}
        title={t('account.signOutEverywhereTitle')}
        body={t('account.signOutEverywhereBody')}
        confirmLabel={t('account.signOutEverywhere')}
        danger
        busy={all.isPending}
        error={all.error ? <ErrorText error={all.error} /> : null}
        onConfirm={() => all.mutate()}
        onClose={() => {
          all.reset();
          setConfirmAll(false);
        }}
        testId="signout-all-dialog"
      />
    </Card>
  );
}

const securityKeysKey = ['security-keys'] as const;

function KeyError({ error }: { error: unknown }) {
  const t = useT();
  const messageKey = keyErrorKey(error);
  if (!messageKey) return <FormError error={error} fields={['label']} />;
  return (
    <Alert kind="error" testId="form-error">
      <p>{t(messageKey)}</p>
    </Alert>
  );
}

/**
 * Security keys and passkeys (WebAuthn) as a second factor, offered to administrators. Anyone who holds a
 * key (an administrator who lost the role, say) still sees it and may remove it.
 */
function SecurityKeysCard() {
  const t = useT();
  const me = useMe();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<SecurityKeyT | null>(null);
  const offered = offersSecurityKeys(me.memberships);
  const supported = browserSupportsKeys();
  const keys = useQuery({
    queryKey: securityKeysKey,
    queryFn: ({ signal }) => endpoints.securityKeys(signal),
  });
  const form = useForm<{ label: string }>({ defaultValues: { label: t('keys.defaultLabel') } });
  const add = useMutation({
    mutationFn: async (label: string) => {
      const { options } = await endpoints.securityKeyOptions();
      const response = await createKey(options);
      return endpoints.addSecurityKey({ label, response });
    },
    onSuccess: async () => {
      form.reset({ label: t('keys.defaultLabel') });
      toast(t('keys.addedToast'));
      await queryClient.invalidateQueries({ queryKey: securityKeysKey });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => endpoints.removeSecurityKey(id),
    onSuccess: async () => {
      setRemoving(null);
      toast(t('keys.removedToast'));
      await queryClient.invalidateQueries({ queryKey: securityKeysKey });
    },
  });

  const list = keys.data ?? [];
  if (!offered && list.length === 0) return null;

  return (
    <Card title={t('keys.title')} description={t('keys.lead')} testId="security-keys">
      <div className="stack">
        <QueryState
          query={keys}
          empty={
            <p className="muted" data-testid="security-key-none">
              {t('keys.none')}
            </p>
          }
        >
          {(list) => (
            <DataTable
              caption={t('keys.title')}
              columns={[t('keys.name'), t('keys.createdAt'), t('keys.lastUsed')]}
              actions
              testId="security-key-table"
            >
              {list.map((key) => (
                <tr key={key.id} data-testid="security-key-row">
                  <td>{key.label}</td>
                  <td>
                    <DateTime value={key.createdAt} />
                  </td>
                  <td>
                    {key.lastUsedAt ? (
                      <DateTime value={key.lastUsedAt} />
                    ) : (
                      <span className="muted">{t('keys.neverUsed')}</span>
                    )}
                  </td>
                  <td className="cell-actions">
                    <Button
                      size="sm"
                      icon="x"
                      onClick={() => {
                        remove.reset();
                        setRemoving(key);
                      }}
                      data-testid="security-key-remove"
                    >
                      {t('keys.remove')}
                    </Button>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryState>
        {offered && !supported ? (
          <Alert kind="info" testId="security-key-unsupported">
            <p>{t('keys.unsupported')}</p>
          </Alert>
        ) : null}
        {offered && supported ? (
          <form
            noValidate
            className="stack"
            onSubmit={form.handleSubmit((values) => add.mutate(values.label.trim()))}
          >
            {add.error ? <KeyError error={add.error} /> : null}
            <TextField
              label={t('keys.label')}
              hint={t('keys.labelHint')}
              required
              maxLength={SECURITY_KEY_LABEL_MAX}
              data-testid="security-key-label"
              error={form.formState.errors.label?.message ?? issueFor(add.error, 'label')}
              {...form.register('label', {
                validate: (v) => v.trim().length > 0 || t('validation.required'),
              })}
            />
            <SubmitAction icon="key" busy={add.isPending} testId="security-key-add">
              {t('keys.add')}
            </SubmitAction>
          </form>
        ) : null}
      </div>
      <ConfirmDialog
        open={removing !== null}
        title={t('keys.removeTitle')}
        body={t('keys.removeBody', { label: removing?.label ?? '' })}
        confirmLabel={t('keys.remove')}
        danger
        busy={remove.isPending}
        error={remove.error ? <ErrorText error={remove.error} /> : null}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
        testId="security-key-remove-dialog"
      />
    </Card>
  );
}

export function AccountPage() {
  const t = useT();
  return (
    <>
      <PageHeader title={t('account.title')} description={t('account.lead')} />
      <div className="grid grid-2">
        <ProfileCard />
        <PasswordCard />
      </div>
      <SecurityKeysCard />
      <SessionsCard />
    </>
  );
}
