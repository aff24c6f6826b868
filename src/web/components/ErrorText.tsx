import { isApiError } from '../api/client.js';
import { otherIssues } from '../api/issues.js';
import type { MessageKey } from '../i18n/messages.js';
import { useT } from '../i18n/useT.js';
import { Alert } from './Alert.js';

/** The human message for a failed call: the server's own (already localized), or a local fallback. */
export function useErrorMessage(): (error: unknown) => string {
  const t = useT();
  return (error: unknown) => {
    if (!isApiError(error)) return t('error.unexpected');
    if (error.code === 'network_error') return t('error.network');
    const key: MessageKey = `error.${error.code}`;
    const base = error.message || t(key);
    if (error.status === 429 && error.retryAfterSeconds)
      return `${base} ${t('error.retryAfter', { seconds: error.retryAfterSeconds })}`;
    return base;
  };
}

export function ErrorText({ error }: { error: unknown }) {
  const t = useT();
  const message = useErrorMessage()(error);
  const requestId = isApiError(error) ? error.requestId : undefined;
  return (
    <>
      <p className="error-message" data-testid="error-message">
        {message}
      </p>
      {requestId ? <p className="error-reference">{t('error.reference', { id: requestId })}</p> : null}
    </>
  );
}

/** A form's error summary: the message, the issues not shown next to a field, the request reference. */
export function FormError({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  const t = useT();
  if (!error) return null;
  const others = otherIssues(error, fields);
  return (
    <Alert
      kind="error"
      testId="form-error"
      title={isApiError(error) && error.code === 'validation_failed' ? t('common.formErrorTitle') : undefined}
    >
      <ErrorText error={error} />
      {others.length ? (
        <ul className="issue-list">
          {others.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}
