import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, Navigate, useLocation } from 'react-router';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import type { WebAuthnRequestOptionsT } from '../../api/types.js';
import { type SignInNotice, useMeQuery, useSession } from '../../app/session.js';
import { Alert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorText, FormError } from '../../components/ErrorText.js';
import { CheckboxField, TextField } from '../../components/Field.js';
import { Icon } from '../../components/Icon.js';
import { LoadError, Loading } from '../../components/Status.js';
import type { MessageKey } from '../../i18n/messages.js';
import { useT } from '../../i18n/useT.js';
import { AuthLayout } from './AuthLayout.js';
import { browserSupportsKeys, keyErrorKey, signWithKey } from './securityKey.js';

type Step = 'credentials' | 'mfa' | 'recovery' | 'enrol' | 'codes';

const NOTICE_KIND: Record<SignInNotice, 'info' | 'warning' | 'success'> = {
  session_ended: 'warning',
  signed_out: 'info',
  signed_out_everywhere: 'info',
  password_set: 'success',
  password_changed: 'success',
};

function StepHeading({ title, lead }: { title: string; lead?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: move focus each time the step (title) changes
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    ref.current?.focus();
  }, [title]);
  return (
    <div className="auth-heading">
      <h1 ref={ref} tabIndex={-1} className="auth-title" data-testid="page-title">
        {title}
      </h1>
      {lead ? <p className="auth-lead">{lead}</p> : null}
    </div>
  );
}

function CredentialsForm({ onNext }: { onNext: (next: 'mfa' | 'mfa_enrol' | 'done') => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({ defaultValues: { username: '', password: '' } });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      const result = await endpoints.login({ username: values.username.trim(), password: values.password });
      form.reset({ username: values.username, password: '' });
      onNext(result.next);
    } catch (e) {
      setError(e);
      form.setValue('password', '');
      form.setFocus('password');
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="stack" data-testid="signin-form">
      <FormError error={error} fields={['username', 'password']} />
      <TextField
        label={t('signin.username')}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        data-testid="signin-username"
        error={errors.username?.message ?? issueFor(error, 'username')}
        {...form.register('username', { required: t('validation.required') })}
      />
      <TextField
        label={t('signin.password')}
        type="password"
        autoComplete="current-password"
        required
        data-testid="signin-password"
        error={errors.password?.message ?? issueFor(error, 'password')}
        {...form.register('password', { required: t('validation.required') })}
      />
      <Button
        type="submit"
        variant="primary"
        className="btn-block"
        busy={isSubmitting}
        data-testid="signin-submit"
      >
        {t('signin.submit')}
      </Button>
    </form>
  );
}

function CodeForm({
  kind,
  onDone,
  submitLabel,
  secondary = false,
}: {
  kind: 'mfa' | 'recovery' | 'enrol';
  onDone: (result: unknown) => void;
  submitLabel: string;
  /** When a security key is the primary way, the code is the alternative: no autofocus, a plain button. */
  secondary?: boolean;
}) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({ defaultValues: { code: '' } });
  const { errors, isSubmitting } = form.formState;
  const totp = kind !== 'recovery';

  const onSubmit = form.handleSubmit(async ({ code }) => {
    setError(null);
    const clean = totp ? code.replace(/\s/g, '') : code.trim();
    try {
      const result =
        kind === 'mfa'
          ? await endpoints.mfaVerify(clean)
          : kind === 'enrol'
            ? await endpoints.enrolFinish(clean)
            : await endpoints.recovery(clean);
      onDone(result);
    } catch (e) {
      setError(e);
      form.setValue('code', '');
      form.setFocus('code');
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      <FormError error={error} fields={['code']} />
      <TextField
        label={totp ? t('mfa.codeLabel') : t('recovery.codeLabel')}
        hint={totp ? t('mfa.codeHint') : t('recovery.codeHint')}
        inputMode={totp ? 'numeric' : 'text'}
        autoComplete={totp ? 'one-time-code' : 'off'}
        autoCapitalize="none"
        spellCheck={false}
        maxLength={totp ? 7 : 40}
        required
        autoFocus={!secondary}
        className={totp ? 'input input-code' : 'input input-mono'}
        data-testid={totp ? 'mfa-code' : 'recovery-code'}
        error={errors.code?.message ?? issueFor(error, 'code')}
        {...form.register('code', {
          required: t('validation.required'),
          ...(totp
            ? { pattern: { value: /^\s*\d{3}\s?\d{3}\s*$/, message: t('validation.sixDigits') } }
            : {}),
        })}
      />
      <Button
        type="submit"
        variant={secondary ? 'secondary' : 'primary'}
        className="btn-block"
        busy={isSubmitting}
        data-testid="mfa-submit"
      >
        {submitLabel}
      </Button>
    </form>
  );
}

/** Options are used once and live five minutes on the server: older or used ones are asked for again. */
const KEY_OPTIONS_FRESH_MS = 4 * 60_000;

/** Challenges this page has already handed to a key (so a remounted button never offers one twice). */
const usedChallenges = new Set<string>();

/** Second factor with a security key or passkey: asks the key to sign the server's challenge. */
function SecurityKeyButton({
  initial,
  fetchedAt,
  onDone,
}: {
  /** Options fetched when the step opened, so that the key prompt follows the click at once. */
  initial: WebAuthnRequestOptionsT;
  fetchedAt: number;
  onDone: () => void;
}) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const use = async () => {
    setBusy(true);
    setError(null);
    try {
      const usable =
        !usedChallenges.has(initial.challenge) && Date.now() - fetchedAt < KEY_OPTIONS_FRESH_MS
          ? initial
          : null;
      const options = usable ?? (await endpoints.webauthnOptions()).options;
      if (!options) throw new Error('no security key');
      usedChallenges.add(options.challenge);
      await endpoints.webauthnVerify(await signWithKey(options));
      onDone();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const messageKey = error ? keyErrorKey(error) : null;
  return (
    <div className="stack">
      <Button
        variant="primary"
        icon="key"
        className="btn-block"
        busy={busy}
        onClick={() => void use()}
        data-testid="mfa-security-key"
      >
        {t('mfa.useKey')}
      </Button>
      <p className="field-hint">{t('mfa.keyHint')}</p>
      {error ? (
        <Alert kind="error" testId="mfa-security-key-error">
          {messageKey ? <p>{t(messageKey)}</p> : <ErrorText error={error} />}
        </Alert>
      ) : null}
    </div>
  );
}

function groupSecret(secret: string): string[] {
  return secret.replace(/\s/g, '').match(/.{1,4}/g) ?? [];
}

function EnrolStep({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const t = useT();
  const start = useQuery({
    queryKey: ['mfa-enrol-start'],
    queryFn: () => endpoints.enrolStart(),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
  });
  if (start.isPending) return <Loading />;
  if (start.isError) return <LoadError error={start.error} onRetry={() => void start.refetch()} />;
  const { secret, qrSvg } = start.data;
  const groups = groupSecret(secret);
  return (
    <div className="stack">
      <ol className="steps-list">
        <li>{t('enrol.step1')}</li>
        <li>{t('enrol.step2')}</li>
        <li>{t('enrol.step3')}</li>
      </ol>
      <div className="enrol-grid">
        <img
          className="qr"
          src={`data:image/svg+xml;base64,${btoa(qrSvg)}`}
          alt={t('enrol.qrAlt')}
          width={180}
          height={180}
          data-testid="enrol-qr"
        />
        <div className="enrol-secret">
          <p className="field-label">{t('enrol.manualTitle')}</p>
          <p className="field-hint">{t('enrol.manualHint')}</p>
          <p className="secret" data-testid="enrol-secret">
            <span className="visually-hidden">{t('enrol.secretLabel')}: </span>
            {groups.map((group, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the groups are positions in one fixed string
              <span key={index} className="secret-group">
                {group}
              </span>
            ))}
          </p>
          <CopyButton value={secret.replace(/\s/g, '')} label={t('enrol.copySecret')} />
        </div>
      </div>
      <CodeForm
        kind="enrol"
        submitLabel={t('enrol.submit')}
        onDone={(result) => onCodes((result as { recoveryCodes: string[] }).recoveryCodes)}
      />
    </div>
  );
}

function RecoveryCodes({ codes, onContinue }: { codes: string[]; onContinue: () => Promise<void> }) {
  const t = useT();
  const [stored, setStored] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="stack">
      <Alert kind="warning" title={t('codes.onceTitle')}>
        <p>{t('codes.onceText')}</p>
      </Alert>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="inline-actions">
        <CopyButton value={codes.join('\n')} label={t('codes.copyAll')} />
      </div>
      <CheckboxField
        label={t('codes.confirm')}
        checked={stored}
        onChange={(event) => setStored(event.target.checked)}
        data-testid="codes-stored"
      />
      <FormError error={error} />
      <Button
        variant="primary"
        className="btn-block"
        disabled={!stored}
        busy={busy}
        data-testid="codes-continue"
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await onContinue();
          } catch (e) {
            setError(e);
            setBusy(false);
          }
        }}
      >
        {t('codes.continue')}
      </Button>
    </div>
  );
}

const TITLES: Record<Step, { title: MessageKey; lead: MessageKey }> = {
  credentials: { title: 'signin.title', lead: 'signin.lead' },
  mfa: { title: 'mfa.title', lead: 'mfa.lead' },
  recovery: { title: 'recovery.title', lead: 'recovery.lead' },
  enrol: { title: 'enrol.title', lead: 'enrol.lead' },
  codes: { title: 'codes.title', lead: 'codes.lead' },
};

export function SignInPage() {
  const t = useT();
  const me = useMeQuery();
  const location = useLocation();
  const { notice, clearNotice, completeSignIn } = useSession();
  const [step, setStep] = useState<Step>('credentials');
  const [codes, setCodes] = useState<string[]>([]);
  const [finishError, setFinishError] = useState<unknown>(null);
  // Each accepted password starts a new attempt: the key options belong to that pending session.
  const [attempt, setAttempt] = useState(0);
  const keysPossible = step === 'mfa' && browserSupportsKeys();
  const keyOptions = useQuery({
    queryKey: ['webauthn-signin-options', attempt],
    queryFn: () => endpoints.webauthnOptions(),
    enabled: keysPossible,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
  });
  const keyChallenge = keysPossible ? (keyOptions.data?.options ?? null) : null;
  const from = (location.state as { from?: string } | null)?.from;
  const target = from?.startsWith('/') && !from.startsWith('//') ? from : '/';

  if (me.data && step !== 'codes') return <Navigate to={target} replace />;

  const finish = async () => {
    setFinishError(null);
    try {
      await completeSignIn(target);
    } catch (e) {
      setFinishError(e);
    }
  };

  const heading = TITLES[step];
  const lead: MessageKey = step === 'mfa' && keyChallenge ? 'mfa.leadKey' : heading.lead;

  return (
    <AuthLayout title={t(heading.title)}>
      <StepHeading title={t(heading.title)} lead={t(lead)} />
      {notice && step === 'credentials' ? (
        <Alert kind={NOTICE_KIND[notice]} testId="signin-notice">
          <p>{t(`notice.${notice}`)}</p>
        </Alert>
      ) : null}
      <FormError error={finishError} />
      {step === 'credentials' ? (
        <>
          <CredentialsForm
            onNext={(next) => {
              clearNotice();
              setAttempt((n) => n + 1);
              if (next === 'done') void finish();
              else setStep(next === 'mfa' ? 'mfa' : 'enrol');
            }}
          />
          <div className="auth-links">
            <Link to="/setup" data-testid="setup-link">
              <Icon name="key" size={16} />
              {t('signin.haveSetupCode')}
            </Link>
          </div>
        </>
      ) : null}
      {step === 'mfa' && keysPossible && keyOptions.isPending ? <Loading /> : null}
      {step === 'mfa' && !(keysPossible && keyOptions.isPending) ? (
        <>
          {keyChallenge ? (
            <>
              <SecurityKeyButton
                initial={keyChallenge}
                fetchedAt={keyOptions.dataUpdatedAt}
                onDone={() => void finish()}
              />
              <p className="auth-or">{t('mfa.orCode')}</p>
            </>
          ) : null}
          <CodeForm
            kind="mfa"
            submitLabel={t('mfa.submit')}
            secondary={Boolean(keyChallenge)}
            onDone={() => void finish()}
          />
          <div className="auth-links">
            <button
              type="button"
              className="link-button"
              onClick={() => setStep('recovery')}
              data-testid="use-recovery"
            >
              {t('mfa.useRecovery')}
            </button>
            <button type="button" className="link-button" onClick={() => setStep('credentials')}>
              {t('signin.startOver')}
            </button>
          </div>
        </>
      ) : null}
      {step === 'recovery' ? (
        <>
          <CodeForm kind="recovery" submitLabel={t('recovery.submit')} onDone={() => void finish()} />
          <div className="auth-links">
            <button type="button" className="link-button" onClick={() => setStep('mfa')}>
              {t('recovery.useAuthenticator')}
            </button>
            <button type="button" className="link-button" onClick={() => setStep('credentials')}>
              {t('signin.startOver')}
            </button>
          </div>
        </>
      ) : null}
      {step === 'enrol' ? (
        <EnrolStep
          onCodes={(list) => {
            setCodes(list);
            setStep('codes');
          }}
        />
      ) : null}
      {step === 'codes' ? <RecoveryCodes codes={codes} onContinue={() => completeSignIn(target)} /> : null}
    </AuthLayout>
  );
}
