import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useIntl } from 'react-intl';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import {
  BREAK_GLASS_REASON_MIN,
  type BreakGlassGrant,
  BreakGlassOpen,
} from '../../../shared/contracts/break-glass.js';
import { post } from '../../api/client.js';
import { Alert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { Dialog } from '../../components/Dialog.js';
import { TextAreaField, TextField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import { DialogForm } from './DialogForm.js';
import { applyServerIssues, bodyResolver } from './forms.js';
import { SENSITIVE_MUTATION } from './queries.js';

type OpenT = z.output<typeof BreakGlassOpen>;
type GrantT = z.infer<typeof BreakGlassGrant>;
interface BreakGlassForm {
  ref: string;
  reason: string;
}

/**
 * Break-the-glass: opens one person of another agency by reference, for a limited time, with a reason and
 * a step-up (the client asks for it when the server answers reauth_required). Nothing is kept in the
 * browser: the reason is forgotten with the dialog.
 */
export function BreakGlassButton() {
  const t = useT();
  const intl = useIntl();
  const toast = useToast();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState<string[]>([]);
  const empty: BreakGlassForm = { ref: '', reason: '' };
  const form = useForm<BreakGlassForm, unknown, OpenT>({
    defaultValues: empty,
    resolver: bodyResolver(BreakGlassOpen, (v: BreakGlassForm) => ({ ref: v.ref, reason: v.reason }), t),
  });
  const { errors } = form.formState;
  const close = () => {
    openGrant.reset();
    form.reset(empty);
    setShown([]);
    setOpen(false);
  };
  const openGrant = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (body: OpenT) => post<GrantT>('/api/break-glass', body),
    onSuccess: (grant) => {
      toast(
        t('breakGlass.opened', {
          ref: grant.personRef,
          until: intl.formatTime(grant.expiresAt, { timeStyle: 'short' }),
        }),
      );
      close();
      void navigate(`/persons/${encodeURIComponent(grant.personId)}`);
    },
    onError: (error) => setShown(applyServerIssues(error, form.getValues(), form.setError)),
  });
  return (
    <>
      <Button variant="danger" icon="lock" onClick={() => setOpen(true)} data-testid="break-glass-open">
        {t('breakGlass.button')}
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={t('breakGlass.title')}
        description={t('breakGlass.lead')}
        size="lg"
        testId="break-glass-dialog"
      >
        <DialogForm
          form={form}
          error={openGrant.error}
          shown={shown}
          onValid={(body) => {
            setShown([]);
            openGrant.mutate(body);
          }}
        >
          <Alert kind="warning" title={t('breakGlass.warningTitle')}>
            <p>{t('breakGlass.warningBody')}</p>
          </Alert>
          <TextField
            label={t('breakGlass.ref')}
            hint={t('breakGlass.refHint')}
            required
            maxLength={24}
            spellCheck={false}
            data-testid="break-glass-ref"
            error={errors.ref?.message}
            {...form.register('ref')}
          />
          <TextAreaField
            label={t('breakGlass.reason')}
            hint={t('breakGlass.reasonHint', { min: BREAK_GLASS_REASON_MIN })}
            required
            rows={4}
            maxLength={2000}
            data-testid="break-glass-reason"
            error={errors.reason?.message}
            {...form.register('reason')}
          />
          <FormActions
            onCancel={close}
            busy={openGrant.isPending}
            submitLabel={t('breakGlass.submit')}
            variant="danger"
            testId="break-glass-submit"
          />
        </DialogForm>
      </Dialog>
    </>
  );
}

/** Under the search: for a person the search cannot find because another agency holds the record. */
export function BreakGlassCard() {
  const t = useT();
  return (
    <Card title={t('breakGlass.cardTitle')} description={t('breakGlass.cardLead')} testId="break-glass-card">
      <BreakGlassButton />
    </Card>
  );
}
