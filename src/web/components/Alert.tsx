import type { ReactNode } from 'react';
import { Icon } from './Icon.js';

type Kind = 'error' | 'warning' | 'info' | 'success';

const icons = { error: 'alert', warning: 'alert', info: 'info', success: 'check' } as const;

/**
 * A message box. Errors and warnings are announced at once (role=alert); information politely (role=status).
 */
export function Alert({
  kind = 'info',
  title,
  children,
  testId,
  className,
}: {
  kind?: Kind;
  title?: ReactNode;
  children?: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <div
      className={['alert', `alert-${kind}`, className ?? ''].filter(Boolean).join(' ')}
      role={kind === 'error' || kind === 'warning' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <Icon name={icons[kind]} className="alert-icon" size={20} />
      <div className="alert-content">
        {title ? <p className="alert-title">{title}</p> : null}
        {children}
      </div>
    </div>
  );
}
