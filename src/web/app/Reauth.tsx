import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { configureClient } from '../api/client.js';
import { endpoints } from '../api/endpoints.js';
import { issueFor } from '../api/issues.js';
import { Alert } from '../components/Alert.js';
import { Button } from '../components/Button.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorText } from '../components/ErrorText.js';
import { TextField } from '../components/Field.js';
import { useT } from '../i18n/useT.js';
import { useMeQuery } from './session.js';

interface ReauthForm {
  password: string;
  code: string;
}

/**
 * Step-up confirmation. Any call answered with 403 reauth_required opens this dialog; after the user
 * confirms with password and authenticator code, the client repeats the call once.
 */
export function ReauthHost() {
  const t = useT();
  const [open, setOpen] = useState(false);
  const pending = useRef<{ promise: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const form = useForm<ReauthForm>({ defaultValues: { password: '', code: '' } });
  // a demo account in demo mode has no second factor: the password alone confirms
  const askCode = useMeQuery().data?.stepUpCode ?? true;

  useEffect(() => {
    configureClient({
      onReauthRequired: () => {
        if (pending.current) return pending.current.promise;
        let resolve: (ok: boolean) => void = () => {};
        const promise = new Promise<boolean>((r) => {
          resolve = r;
        });
        pending.current = { promise, resolve };
        form.reset({ password: '', code: '' });
        setError(null);
        setOpen(true);
        return promise;
      },
    });
  }, [form]);

  const finish = (ok: boolean) => {
    pending.current?.resolve(ok);
    pending.current = null;
    setOpen(false);
    form.reset({ password: '', code: '' });
  };

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      await endpoints.reauth(
        askCode
          ? { password: values.password, code: values.code.replace(/\s/g, '') }
          : { password: values.password },
      );
      finish(true);
    } catch (e) {
      setError(e);
      form.setValue('code', '');
    }
  });

  const { errors, isSubmitting } = form.formState;

  return (
    <Dialog
      open={open}
      title={t('reauth.title')}
      description={t(askCode ? 'reauth.description' : 'reauth.descriptionPassword')}
      onClose={() => finish(false)}
      size="sm"
      testId="reauth-dialog"
    >
      <form onSubmit={onSubmit} noValidate className="stack">
        {error ? (
          <Alert kind="error">
            <ErrorText error={error} />
          </Alert>
        ) : null}
        <TextField
          label={t('reauth.password')}
          type="password"
          autoComplete="current-password"
          required
          data-testid="reauth-password"
          error={errors.password?.message ?? issueFor(error, 'password')}
          {...form.register('password', { required: t('validation.required') })}
        />
        {askCode ? (
          <TextField
            label={t('mfa.codeLabel')}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            required
            data-testid="reauth-code"
            className="input input-code"
            error={errors.code?.message ?? issueFor(error, 'code')}
            {...form.register('code', {
              required: t('validation.required'),
              pattern: { value: /^\s*\d{3}\s?\d{3}\s*$/, message: t('validation.sixDigits') },
            })}
          />
        ) : null}
        <div className="form-actions">
          <Button onClick={() => finish(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={isSubmitting} data-testid="reauth-submit">
            {t('reauth.confirm')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
