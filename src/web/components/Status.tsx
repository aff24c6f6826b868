import type { ReactNode } from 'react';
import { useT } from '../i18n/useT.js';
import { Alert } from './Alert.js';
import { Button } from './Button.js';
import { ErrorText } from './ErrorText.js';
import { Icon, type IconName } from './Icon.js';

export function Loading({ label, inline = false }: { label?: string; inline?: boolean }) {
  const t = useT();
  return (
    <div className={inline ? 'loading loading-inline' : 'loading'} role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="loading-text">{label ?? t('common.loading')}</span>
    </div>
  );
}

export function EmptyState({
  icon = 'info',
  title,
  children,
}: {
  icon?: IconName;
  title: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <Icon name={icon} size={28} />
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

/** A failed load: the server's message, the request reference and a retry button. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  return (
    <Alert kind="error" title={t('common.loadFailed')}>
      <ErrorText error={error} />
      {onRetry ? (
        <div className="alert-actions">
          <Button size="sm" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        </div>
      ) : null}
    </Alert>
  );
}
