import type { ReactNode } from 'react';
import { useT } from '../i18n/useT.js';
import { Button, type ButtonProps } from './Button.js';
import type { IconName } from './Icon.js';

/**
 * The foot of a dialog's form: Cancel, then the submit button (busy while the form is sent). Cancel is
 * disabled while busy unless `cancelDisabled` says otherwise.
 */
export function FormActions({
  onCancel,
  busy = false,
  cancelDisabled = busy,
  submitLabel,
  variant = 'primary',
  testId,
}: {
  onCancel: () => void;
  busy?: boolean;
  cancelDisabled?: boolean;
  submitLabel: ReactNode;
  variant?: ButtonProps['variant'];
  testId?: string;
}) {
  const t = useT();
  return (
    <div className="form-actions">
      <Button onClick={onCancel} disabled={cancelDisabled}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" variant={variant} busy={busy} data-testid={testId}>
        {submitLabel}
      </Button>
    </div>
  );
}

/** The one submit button of a form inside a card, at the start of the line. */
export function SubmitAction({
  busy,
  icon,
  testId,
  children,
}: {
  busy: boolean;
  icon?: IconName;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div className="form-actions form-actions-start">
      <Button type="submit" variant="primary" {...(icon ? { icon } : {})} busy={busy} data-testid={testId}>
        {children}
      </Button>
    </div>
  );
}
