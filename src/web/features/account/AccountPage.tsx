import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormattedDate } from 'react-intl';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../../shared/contracts/auth.js';
import { isLocale, LOCALES, type Locale } from '../../../shared/domain/locales.js';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import { meKey, useMe, useSession } from '../../app/session.js';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorText, FormError, useErrorMessage } from '../../components/ErrorText.js';
import { SelectField, TextField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { useLocale } from '../../i18n/LocaleProvider.js';
import { LOCALE_NAMES } from '../../i18n/messages.js';
import { useT } from '../../i18n/useT.js';
import { PasswordRules } from '../auth/PasswordRules.js';

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
        <div className="form-actions form-actions-start">
          <Button type="submit" variant="primary" busy={save.isPending} data-testid="account-save">
            {t('common.save')}
          </Button>
        </div>
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
          {...form.register('newPassword', {
            required: t('validation.required'),
            minLength: { value: PASSWORD_MIN, message: t('password.tooShort', { min: PASSWORD_MIN }) },
            maxLength: { value: PASSWORD_MAX, message: t('password.tooLong', { max: PASSWORD_MAX }) },
          })}
        />
        <TextField
          label={t('account.confirmPassword')}
          type="password"
          autoComplete="new-password"
          required
          data-testid="account-confirm-password"
          error={errors.confirm?.message}
          {...form.register('confirm', {
            required: t('validation.required'),
            validate: (value) => value === form.getValues('newPassword') || t('password.mismatch'),
          })}
        />
        <div className="form-actions form-actions-start">
          <Button
            type="submit"
            variant="primary"
            busy={change.isPending}
            data-testid="account-change-password"
          >
            {t('account.changePassword')}
          </Button>
        </div>
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
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <LoadError error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="session-table">
            <caption className="visually-hidden">{t('account.sessionsTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('account.sessionStarted')}</th>
                <th scope="col">{t('account.sessionLastSeen')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((session) => (
                <tr key={session.id}>
                  <td>
                    <FormattedDate value={session.createdAt} dateStyle="medium" timeStyle="short" />
                  </td>
                  <td>
                    <FormattedDate value={session.lastSeenAt} dateStyle="medium" timeStyle="short" />
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
            </tbody>
          </table>
        </div>
      )}
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

export function AccountPage() {
  const t = useT();
  return (
    <>
      <PageHeader title={t('account.title')} description={t('account.lead')} />
      <div className="grid grid-2">
        <ProfileCard />
        <PasswordCard />
      </div>
      <SessionsCard />
    </>
  );
}
