import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import { useSession } from '../../app/session.js';
import { Button } from '../../components/Button.js';
import { FormError } from '../../components/ErrorText.js';
import { TextField } from '../../components/Field.js';
import { Icon } from '../../components/Icon.js';
import { useT } from '../../i18n/useT.js';
import { AuthLayout } from './AuthLayout.js';
import { PasswordRules, useNewPasswordRules } from './PasswordRules.js';

interface SetupForm {
  token: string;
  password: string;
  confirm: string;
}

/**
 * A new user (or one whose credentials were reset) chooses a password with the one-time setup code an
 * administrator handed over. The code is typed in, never carried in the URL.
 */
export function SetupPage() {
  const t = useT();
  const passwordRules = useNewPasswordRules();
  const navigate = useNavigate();
  const { showNotice } = useSession();
  const [error, setError] = useState<unknown>(null);
  const form = useForm<SetupForm>({ defaultValues: { token: '', password: '', confirm: '' } });
  const { errors, isSubmitting } = form.formState;
  const password = form.watch('password');

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      await endpoints.setup({ token: values.token.trim(), password: values.password });
      showNotice('password_set');
      navigate('/signin', { replace: true });
    } catch (e) {
      setError(e);
    }
  });

  return (
    <AuthLayout title={t('setup.title')}>
      <div className="auth-heading">
        <h1 className="auth-title" data-testid="page-title">
          {t('setup.title')}
        </h1>
        <p className="auth-lead">{t('setup.lead')}</p>
      </div>
      <form onSubmit={onSubmit} noValidate className="stack" data-testid="setup-form">
        <FormError error={error} fields={['token', 'password']} />
        <TextField
          label={t('setup.token')}
          hint={t('setup.tokenHint')}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          className="input input-mono"
          required
          data-testid="setup-token"
          error={errors.token?.message ?? issueFor(error, 'token')}
          {...form.register('token', {
            required: t('validation.required'),
            minLength: { value: 20, message: t('setup.tokenInvalid') },
            maxLength: { value: 200, message: t('setup.tokenInvalid') },
          })}
        />
        <TextField
          label={t('setup.password')}
          hint={<PasswordRules length={password.length} />}
          type="password"
          autoComplete="new-password"
          required
          data-testid="setup-password"
          error={errors.password?.message ?? issueFor(error, 'password')}
          {...form.register('password', passwordRules.password)}
        />
        <TextField
          label={t('setup.confirm')}
          type="password"
          autoComplete="new-password"
          required
          data-testid="setup-confirm"
          error={errors.confirm?.message}
          {...form.register(
            'confirm',
            passwordRules.confirm(() => form.getValues('password')),
          )}
        />
        <Button
          type="submit"
          variant="primary"
          className="btn-block"
          busy={isSubmitting}
          data-testid="setup-submit"
        >
          {t('setup.submit')}
        </Button>
      </form>
      <div className="auth-links">
        <Link to="/signin">
          <Icon name="chevronLeft" size={16} />
          {t('setup.backToSignIn')}
        </Link>
      </div>
    </AuthLayout>
  );
}
