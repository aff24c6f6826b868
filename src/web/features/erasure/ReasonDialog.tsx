import { type ReactNode, useState } from 'react';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/ErrorText.js';
import { TextAreaField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { useT } from '../../i18n/useT.js';

/** A dialog asking for a reason (an erasure request, a rejection); the text never leaves the form state. */
export function ReasonDialog({
  open,
  title,
  label,
  warning,
  submitLabel,
  busy,
  error,
  onSubmit,
  onClose,
  testId,
}: {
  open: boolean;
  title: ReactNode;
  label: ReactNode;
  warning?: ReactNode;
  submitLabel: ReactNode;
  busy: boolean;
  error: unknown;
  onSubmit: (reason: string) => void;
  onClose: () => void;
  testId: string;
}) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const close = () => {
    setReason('');
    setMissing(false);
    onClose();
  };
  return (
    <Dialog open={open} title={title} onClose={close} testId={testId}>
      <form
        noValidate
        autoComplete="off"
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim() === '') {
            setMissing(true);
            return;
          }
          onSubmit(reason.trim());
        }}
      >
        <FormError error={error} fields={['reason']} />
        {warning ? <Alert kind="warning">{warning}</Alert> : null}
        <TextAreaField
          label={label}
          hint={t('erasure.reasonHint')}
          required
          rows={4}
          maxLength={2000}
          value={reason}
          onChange={(event) => {
            setReason(event.target.value);
            if (missing) setMissing(false);
          }}
          error={missing ? t('erasure.reasonRequired') : undefined}
          data-testid={`${testId}-reason`}
        />
        <FormActions
          onCancel={close}
          busy={busy}
          submitLabel={submitLabel}
          variant="danger"
          testId={`${testId}-submit`}
        />
      </form>
    </Dialog>
  );
}
