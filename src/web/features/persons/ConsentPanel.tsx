import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  useEffect,
  useId,
  useMemo,
  useState,
} from 'react';
import { Controller, type UseFormRegisterReturn, useForm } from 'react-hook-form';
import { FormattedDate } from 'react-intl';
import type { z } from 'zod';
import { ConsentCreate, OverrideCreate } from '../../../shared/contracts/persons.js';
import { AGENCY_TYPES, type AgencyType } from '../../../shared/domain/access.js';
import {
  ageAt,
  CHILD_ASSENT_FROM_AGE,
  CONSENT_EVIDENCE,
  CONSENT_PURPOSES,
  type ConsentPurpose,
} from '../../../shared/domain/consent.js';
import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import { isApiError } from '../../api/client.js';
import { useMe } from '../../app/session.js';
import { Alert } from '../../components/Alert.js';
import { Badge, BadgeRow, type Tone } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DateTime } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorText } from '../../components/ErrorText.js';
import { CheckboxField, ChoiceField, FieldSet, TextAreaField, TextField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { Icon } from '../../components/Icon.js';
import { QueryState } from '../../components/QueryState.js';
import { EmptyState } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import type { MessageKey } from '../../i18n/messages.js';
import { useLocalized, useT } from '../../i18n/useT.js';
import {
  type ConsentCreateT,
  type ConsentT,
  type OverrideCreateT,
  type OverrideT,
  type PersonViewT,
  personsApi,
  type WithdrawnBy,
} from './api.js';
import { DialogForm } from './DialogForm.js';
import { applyServerIssues, bodyResolver } from './forms.js';
import { personsKey, SENSITIVE_MUTATION, useAgencyDirectory, useAgencyLabel, useCanIn } from './queries.js';

const consentsKey = (id: string) => [...personsKey, 'consents', id] as const;
const overridesKey = (id: string) => [...personsKey, 'overrides', id] as const;
const RECIPIENT_TYPES = AGENCY_TYPES.filter((type) => type !== 'system_operator');

function isAgencyType(value: string): value is AgencyType {
  return (AGENCY_TYPES as readonly string[]).includes(value);
}

function useRecipientLabel(): (agencyId: string | null, type: string | null) => string {
  const t = useT();
  const agencyLabel = useAgencyLabel();
  return (agencyId, type) => {
    if (agencyId) return agencyLabel(agencyId);
    if (type) return t('consent.anyOfType', { type: isAgencyType(type) ? t(`agencyType.${type}`) : type });
    return t('consent.noRecipient');
  };
}

const RECIPIENT_MODES = ['agency', 'type', 'none'] as const;
const GIVERS = ['person', 'guardian'] as const;

/** A row of radio buttons, one per option; `input` gives each its name, checked state and handler. */
function RadioRow<V extends string>({
  options,
  label,
  testId,
  input,
}: {
  options: readonly V[];
  label: (option: V) => ReactNode;
  testId: (option: V) => string;
  input: (option: V) => InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> };
}) {
  return (
    <div className="radio-row">
      {options.map((option) => (
        <label key={option} className="radio">
          <input type="radio" value={option} data-testid={testId(option)} {...input(option)} />
          <span>{label(option)}</span>
        </label>
      ))}
    </div>
  );
}

/** The purpose of a consent or an override: required, chosen from the consent purposes. */
function PurposeField({
  testId,
  ...select
}: { testId: string; error: string | undefined } & UseFormRegisterReturn) {
  const t = useT();
  return (
    <ChoiceField
      label={t('consent.purpose')}
      required
      data-testid={testId}
      {...select}
      placeholder={t('persons.choose')}
      options={CONSENT_PURPOSES}
      optionLabel={(p) => t(`purpose.${p}`)}
    />
  );
}

/** One label and value of a ledger entry. */
function LedgerField({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function ClassBadges({ classes }: { classes: readonly FieldClass[] }) {
  const t = useT();
  return <BadgeRow items={classes} label={(cls) => t(`class.${cls}`)} />;
}

function ClassCheckboxes({
  value,
  onChange,
  error,
  testId,
}: {
  value: FieldClass[];
  onChange: (value: FieldClass[]) => void;
  error?: string | undefined;
  testId: string;
}) {
  const t = useT();
  return (
    <FieldSet legend={t('consent.classes')} hint={t('consent.classesHint')} error={error}>
      <div className="checkbox-grid checkbox-grid-3">
        {FIELD_CLASSES.map((cls) => (
          <CheckboxField
            key={cls}
            label={t(`class.${cls}`)}
            checked={value.includes(cls)}
            data-testid={`${testId}-${cls}`}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? FIELD_CLASSES.filter((c) => c === cls || value.includes(c))
                  : value.filter((c) => c !== cls),
              )
            }
          />
        ))}
      </div>
    </FieldSet>
  );
}

/** `YYYY-MM-DD` of today in the browser's zone. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** "Given on" a day: from the start of that day (the time is not asked; no clock skew can make it future). */
function givenInstant(date: string): string | undefined {
  if (!date) return undefined;
  const d = new Date(`${date}T00:00:00`);
  return Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString();
}

/** "Expires on" a day: at the end of that day. */
function endOfDay(date: string): string | null {
  if (!date) return null;
  const d = new Date(`${date}T23:59:59`);
  return Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString();
}

interface ConsentForm {
  purpose: '' | ConsentPurpose;
  recipientMode: 'agency' | 'type' | 'none';
  recipientAgencyId: string;
  recipientType: string;
  dataClasses: FieldClass[];
  givenBy: 'person' | 'guardian';
  childAssent: boolean;
  evidence: '' | (typeof CONSENT_EVIDENCE)[number];
  givenOn: string;
  expiresOn: string;
}

/** The props of a dialog about one person. */
interface PersonDialogProps {
  person: PersonViewT;
  open: boolean;
  onClose: () => void;
}

/** The active agencies other than the person's own: those a consent or an override may name. */
function useRecipientAgencies(person: PersonViewT) {
  const { agencies } = useAgencyDirectory();
  return agencies.filter((a) => a.active && a.id !== person.ownerAgencyId);
}

function RecordConsentDialog({ person, open, onClose }: PersonDialogProps) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const localized = useLocalized();
  const [shown, setShown] = useState<string[]>([]);
  const radioName = useId();
  const choices = useRecipientAgencies(person);
  const age = person.birthYear === null ? null : ageAt(person.birthYear, new Date());
  const assentNeeded = person.presumedChild && (age === null || age >= CHILD_ASSENT_FROM_AGE);

  const defaults = useMemo<ConsentForm>(
    () => ({
      purpose: '',
      recipientMode: choices.length ? 'agency' : 'type',
      recipientAgencyId: '',
      recipientType: '',
      dataClasses: [],
      givenBy: person.presumedChild ? 'guardian' : 'person',
      childAssent: false,
      evidence: '',
      givenOn: today(),
      expiresOn: '',
    }),
    [choices.length, person.presumedChild],
  );

  const schema = useMemo(
    () =>
      ConsentCreate.superRefine((body, ctx) => {
        if (body.purpose === 'referral' && !body.recipientAgencyId && !body.recipientType)
          ctx.addIssue({ code: 'custom', path: ['recipientAgencyId'], message: t('consent.needRecipient') });
        if (person.presumedChild && body.givenBy !== 'guardian')
          ctx.addIssue({ code: 'custom', path: ['givenBy'], message: t('consent.childNeedsGuardian') });
        if (assentNeeded && body.childAssent !== true && age !== null)
          ctx.addIssue({ code: 'custom', path: ['childAssent'], message: t('consent.childNeedsAssent') });
        if (body.expiresAt && body.expiresAt <= body.givenAt)
          ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: t('consent.expiryBeforeGiven') });
      }),
    [t, person.presumedChild, assentNeeded, age],
  );

  const form = useForm<ConsentForm, unknown, ConsentCreateT>({
    defaultValues: defaults,
    resolver: bodyResolver(
      schema as unknown as z.ZodType<ConsentCreateT>,
      (v: ConsentForm) => ({
        purpose: v.purpose || undefined,
        recipientAgencyId: v.recipientMode === 'agency' ? v.recipientAgencyId || null : null,
        recipientType: v.recipientMode === 'type' ? v.recipientType || null : null,
        dataClasses: v.dataClasses,
        givenBy: v.givenBy,
        childAssent: person.presumedChild ? v.childAssent : null,
        evidence: v.evidence || undefined,
        givenAt: givenInstant(v.givenOn),
        expiresAt: endOfDay(v.expiresOn),
      }),
      t,
    ),
  });
  const { errors } = form.formState;
  const mode = form.watch('recipientMode');
  const purpose = form.watch('purpose');

  useEffect(() => {
    if (open) form.reset(defaults);
  }, [open, defaults, form]);

  const record = useMutation({
    mutationFn: (body: ConsentCreateT) => personsApi.recordConsent(person.id, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: consentsKey(person.id) });
      toast(t('consent.recorded'));
      onClose();
    },
    onError: (error) => setShown(applyServerIssues(error, form.getValues(), form.setError)),
  });

  const close = () => {
    record.reset();
    setShown([]);
    onClose();
  };

  // Issues on body paths shown next to the form's own fields.
  const fieldError = (path: string) =>
    (errors as Record<string, { message?: string } | undefined>)[path]?.message;

  return (
    <Dialog open={open} onClose={close} title={t('consent.recordTitle')} size="lg" testId="consent-dialog">
      <DialogForm
        form={form}
        error={record.error}
        shown={shown}
        onValid={(body) => {
          setShown([]);
          record.mutate(body);
        }}
      >
        {person.presumedChild ? (
          <Alert kind="warning" title={t('consent.childTitle')} testId="consent-child-rules">
            <ul className="plain-bullets">
              <li>{t('consent.childRuleGuardian')}</li>
              <li>{t('consent.childRuleAssent', { age: CHILD_ASSENT_FROM_AGE })}</li>
              <li>{t('consent.childRuleAt18')}</li>
            </ul>
          </Alert>
        ) : null}
        <div className="form-grid">
          <PurposeField
            testId="consent-purpose"
            error={errors.purpose?.message}
            {...form.register('purpose')}
          />
          <ChoiceField
            label={t('consent.evidence')}
            required
            data-testid="consent-evidence"
            error={errors.evidence?.message}
            {...form.register('evidence')}
            placeholder={t('persons.choose')}
            options={CONSENT_EVIDENCE}
            optionLabel={(e) => t(`evidence.${e}`)}
          />
        </div>
        <FieldSet
          legend={t('consent.recipient')}
          hint={purpose === 'referral' ? t('consent.recipientReferralHint') : t('consent.recipientHint')}
          error={fieldError('recipientAgencyId') ?? fieldError('recipientType')}
        >
          <RadioRow
            options={RECIPIENT_MODES}
            label={(m) => t(`consent.recipientMode.${m}`)}
            testId={(m) => `consent-recipient-mode-${m}`}
            input={(m) => ({
              name: `${radioName}-mode`,
              checked: mode === m,
              onChange: () => form.setValue('recipientMode', m),
            })}
          />
          {mode === 'agency' ? (
            choices.length ? (
              <ChoiceField
                label={t('consent.recipientAgency')}
                data-testid="consent-recipient-agency"
                {...form.register('recipientAgencyId')}
                placeholder={t('persons.choose')}
                options={choices}
                optionValue={(a) => a.id}
                optionLabel={(a) => localized(a.name)}
              />
            ) : (
              <p className="muted">{t('consent.noAgencies')}</p>
            )
          ) : null}
          {mode === 'type' ? (
            <ChoiceField
              label={t('consent.recipientType')}
              data-testid="consent-recipient-type"
              {...form.register('recipientType')}
              placeholder={t('persons.choose')}
              options={RECIPIENT_TYPES}
              optionLabel={(type) => t(`agencyType.${type}`)}
            />
          ) : null}
        </FieldSet>
        <Controller
          control={form.control}
          name="dataClasses"
          render={({ field }) => (
            <ClassCheckboxes
              value={field.value}
              onChange={field.onChange}
              error={errors.dataClasses?.message ?? fieldError('dataClasses')}
              testId="consent-class"
            />
          )}
        />
        <FieldSet legend={t('consent.givenBy')} error={errors.givenBy?.message}>
          <RadioRow
            options={GIVERS}
            label={(g) => t(`givenBy.${g}`)}
            testId={(g) => `consent-given-by-${g}`}
            input={() => form.register('givenBy')}
          />
        </FieldSet>
        {person.presumedChild ? (
          <div className={errors.childAssent ? 'field-invalid' : undefined}>
            <CheckboxField
              label={t('consent.childAssent')}
              hint={assentNeeded ? t('consent.childAssentHint', { age: CHILD_ASSENT_FROM_AGE }) : undefined}
              data-testid="consent-child-assent"
              {...form.register('childAssent')}
            />
            {errors.childAssent?.message ? <p className="field-error">{errors.childAssent.message}</p> : null}
          </div>
        ) : null}
        <div className="form-grid">
          <TextField
            label={t('consent.givenOn')}
            type="date"
            max={today()}
            required
            data-testid="consent-given-on"
            error={fieldError('givenAt')}
            {...form.register('givenOn')}
          />
          <TextField
            label={t('consent.expiresOn')}
            hint={t('consent.expiresOnHint')}
            type="date"
            min={today()}
            data-testid="consent-expires-on"
            error={fieldError('expiresAt')}
            {...form.register('expiresOn')}
          />
        </div>
        <FormActions
          onCancel={close}
          busy={record.isPending}
          submitLabel={t('consent.record')}
          testId="consent-submit"
        />
      </DialogForm>
    </Dialog>
  );
}

function WithdrawDialog({
  person,
  consent,
  onClose,
}: {
  person: PersonViewT;
  consent: ConsentT | null;
  onClose: () => void;
}) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const radioName = useId();
  const [by, setBy] = useState<WithdrawnBy>(person.presumedChild ? 'guardian' : 'person');
  useEffect(() => {
    if (consent) setBy(person.presumedChild ? 'guardian' : 'person');
  }, [consent, person.presumedChild]);
  const withdraw = useMutation({
    mutationFn: (c: ConsentT) => personsApi.withdrawConsent(person.id, c.id, by),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: consentsKey(person.id) });
      toast(t('consent.withdrawn'));
      onClose();
    },
  });
  return (
    <ConfirmDialog
      open={consent !== null}
      title={t('consent.withdrawTitle')}
      danger
      busy={withdraw.isPending}
      confirmLabel={t('consent.withdraw')}
      error={withdraw.error ? <ErrorText error={withdraw.error} /> : null}
      onConfirm={() => consent && withdraw.mutate(consent)}
      onClose={() => {
        withdraw.reset();
        onClose();
      }}
      testId="withdraw-dialog"
      body={
        <div className="stack">
          <p>{t('consent.withdrawBody')}</p>
          <fieldset className="fieldset">
            <legend className="field-label">{t('consent.withdrawnByLegend')}</legend>
            <RadioRow
              options={GIVERS}
              label={(g) => t(`givenBy.${g}`)}
              testId={(g) => `withdrawn-by-${g}`}
              input={(g) => ({ name: `${radioName}-by`, checked: by === g, onChange: () => setBy(g) })}
            />
          </fieldset>
        </div>
      }
    />
  );
}

function consentState(c: ConsentT): { tone: Tone; key: MessageKey } {
  if (c.withdrawnAt) return { tone: 'danger', key: 'consent.stateWithdrawn' };
  if (c.inForce) return { tone: 'success', key: 'consent.stateInForce' };
  if (c.expiresAt && Date.parse(c.expiresAt) <= Date.now())
    return { tone: 'neutral', key: 'consent.stateExpired' };
  return { tone: 'neutral', key: 'consent.stateNotInForce' };
}

function ConsentItem({
  consent,
  canManage,
  onWithdraw,
}: {
  consent: ConsentT;
  canManage: boolean;
  onWithdraw: () => void;
}) {
  const t = useT();
  const recipient = useRecipientLabel();
  const state = consentState(consent);
  const date = (value: string) => <FormattedDate value={value} dateStyle="medium" />;
  return (
    <li className="ledger-item" data-testid="consent-item">
      <div className="ledger-head">
        <span className="ledger-title">{t(`purpose.${consent.purpose}`)}</span>
        <Badge tone={state.tone} testId="consent-state">
          {t(state.key)}
        </Badge>
        {canManage && !consent.withdrawnAt ? (
          <Button
            size="sm"
            variant="ghost"
            className="ledger-action"
            onClick={onWithdraw}
            data-testid="consent-withdraw"
          >
            {t('consent.withdraw')}
          </Button>
        ) : null}
      </div>
      <dl className="ledger-grid">
        <LedgerField label={t('consent.recipient')}>
          {recipient(consent.recipientAgencyId, consent.recipientType)}
        </LedgerField>
        <LedgerField label={t('consent.classes')}>
          <ClassBadges classes={consent.dataClasses} />
        </LedgerField>
        <LedgerField label={t('consent.givenBy')}>
          {t(`givenBy.${consent.givenBy}`)}
          {consent.childAssent === null ? null : (
            <span className="cell-sub">
              {consent.childAssent ? t('consent.assentGiven') : t('consent.assentNotGiven')}
            </span>
          )}
        </LedgerField>
        <LedgerField label={t('consent.evidence')}>{t(`evidence.${consent.evidence}`)}</LedgerField>
        <LedgerField label={t('consent.givenOn')}>{date(consent.givenAt)}</LedgerField>
        <LedgerField label={t('consent.expiresOn')}>
          {consent.expiresAt ? (
            date(consent.expiresAt)
          ) : (
            <span className="muted">{t('consent.noExpiry')}</span>
          )}
        </LedgerField>
        {consent.withdrawnAt ? (
          <LedgerField label={t('consent.withdrawnOn')}>
            {date(consent.withdrawnAt)}
            {consent.withdrawnBy ? (
              <span className="cell-sub">{t(`withdrawnBy.${consent.withdrawnBy}`)}</span>
            ) : null}
          </LedgerField>
        ) : null}
      </dl>
    </li>
  );
}

interface OverrideForm {
  recipientAgencyId: string;
  purpose: '' | ConsentPurpose;
  dataClasses: FieldClass[];
  reason: string;
}

function RequestOverrideDialog({ person, open, onClose }: PersonDialogProps) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const localized = useLocalized();
  const choices = useRecipientAgencies(person);
  const [shown, setShown] = useState<string[]>([]);
  const empty: OverrideForm = { recipientAgencyId: '', purpose: '', dataClasses: [], reason: '' };
  const form = useForm<OverrideForm, unknown, OverrideCreateT>({
    defaultValues: empty,
    resolver: bodyResolver(
      OverrideCreate,
      (v: OverrideForm) => ({
        recipientAgencyId: v.recipientAgencyId || undefined,
        purpose: v.purpose || undefined,
        dataClasses: v.dataClasses,
        reason: v.reason,
      }),
      t,
    ),
  });
  const { errors } = form.formState;
  const request = useMutation({
    // The reason is free text: forgotten with the dialog, like any text that might name someone.
    ...SENSITIVE_MUTATION,
    mutationFn: (body: OverrideCreateT) => personsApi.requestOverride(person.id, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: overridesKey(person.id) });
      toast(t('override.requested'));
      form.reset(empty);
      onClose();
    },
    onError: (error) => setShown(applyServerIssues(error, form.getValues(), form.setError)),
  });
  const close = () => {
    request.reset();
    form.reset(empty);
    setShown([]);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={t('override.requestTitle')}
      description={t('override.requestLead')}
      size="lg"
      testId="override-dialog"
    >
      <DialogForm
        form={form}
        error={request.error}
        shown={shown}
        onValid={(body) => {
          setShown([]);
          request.mutate(body);
        }}
      >
        <div className="form-grid">
          <ChoiceField
            label={t('consent.recipientAgency')}
            required
            data-testid="override-recipient"
            error={errors.recipientAgencyId?.message}
            {...form.register('recipientAgencyId')}
            placeholder={choices.length ? t('persons.choose') : t('consent.noAgencies')}
            options={choices}
            optionValue={(a) => a.id}
            optionLabel={(a) => localized(a.name)}
          />
          <PurposeField
            testId="override-purpose"
            error={errors.purpose?.message}
            {...form.register('purpose')}
          />
        </div>
        <Controller
          control={form.control}
          name="dataClasses"
          render={({ field }) => (
            <ClassCheckboxes
              value={field.value}
              onChange={field.onChange}
              error={errors.dataClasses?.message}
              testId="override-class"
            />
          )}
        />
        <Alert kind="warning" title={t('override.noNamesTitle')}>
          <p>{t('override.noNamesBody')}</p>
        </Alert>
        <TextAreaField
          label={t('override.reason')}
          hint={t('override.reasonHint', { min: 20 })}
          required
          rows={4}
          maxLength={2000}
          data-testid="override-reason"
          error={errors.reason?.message}
          {...form.register('reason')}
        />
        <FormActions
          onCancel={close}
          busy={request.isPending}
          submitLabel={t('override.request')}
          variant="danger"
          testId="override-submit"
        />
      </DialogForm>
    </Dialog>
  );
}

const OVERRIDE_TONE: Record<OverrideT['status'], Tone> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'neutral',
};

function OverridesSection({ person }: { person: PersonViewT }) {
  const t = useT();
  const me = useMe();
  const toast = useToast();
  const queryClient = useQueryClient();
  const agencyLabel = useAgencyLabel();
  const [requesting, setRequesting] = useState(false);
  const [deciding, setDeciding] = useState<{ override: OverrideT; decision: 'approve' | 'reject' } | null>(
    null,
  );
  const overrides = useQuery({
    queryKey: overridesKey(person.id),
    queryFn: ({ signal }) => personsApi.overrides(person.id, signal),
  });
  const decide = useMutation({
    mutationFn: (d: { override: OverrideT; decision: 'approve' | 'reject' }) =>
      personsApi.decideOverride(person.id, d.override.id, d.decision),
    onSuccess: async (_result, d) => {
      await queryClient.invalidateQueries({ queryKey: overridesKey(person.id) });
      toast(d.decision === 'approve' ? t('override.approved') : t('override.rejected'));
      setDeciding(null);
    },
  });
  return (
    <Card
      title={t('override.title')}
      description={t('override.lead')}
      testId="override-panel"
      actions={
        person.erased ? null : (
          <Button size="sm" variant="danger" onClick={() => setRequesting(true)} data-testid="override-open">
            {t('override.request')}
          </Button>
        )
      }
    >
      <QueryState query={overrides} inline empty={<p className="muted">{t('override.empty')}</p>}>
        {(list) => (
          <ul className="ledger">
            {list.map((o) => {
              const mine = o.requestedBy === me.id;
              return (
                <li key={o.id} className="ledger-item" data-testid="override-item">
                  <div className="ledger-head">
                    <span className="ledger-title">{t(`purpose.${o.purpose}`)}</span>
                    <Badge tone={OVERRIDE_TONE[o.status]}>{t(`overrideStatus.${o.status}`)}</Badge>
                    {o.status === 'pending' && !mine ? (
                      <span className="ledger-action">
                        <Button
                          size="sm"
                          variant="primary"
                          onClick={() => setDeciding({ override: o, decision: 'approve' })}
                          data-testid="override-approve"
                        >
                          {t('override.approve')}
                        </Button>
                        <Button
                          size="sm"
                          onClick={() => setDeciding({ override: o, decision: 'reject' })}
                          data-testid="override-reject"
                        >
                          {t('override.reject')}
                        </Button>
                      </span>
                    ) : null}
                  </div>
                  <dl className="ledger-grid">
                    <LedgerField label={t('consent.recipient')}>
                      {agencyLabel(o.recipientAgencyId)}
                    </LedgerField>
                    <LedgerField label={t('consent.classes')}>
                      <ClassBadges classes={o.dataClasses} />
                    </LedgerField>
                    <LedgerField label={t('override.requestedAt')}>
                      <DateTime value={o.requestedAt} />
                      <span className="cell-sub">
                        {mine ? t('override.byYou') : t('override.byColleague')}
                      </span>
                    </LedgerField>
                    <LedgerField label={o.decidedAt ? t('override.decidedAt') : t('override.expiresAt')}>
                      <DateTime value={o.decidedAt ?? o.expiresAt} />
                    </LedgerField>
                  </dl>
                  {o.status === 'pending' && mine ? (
                    <p className="cell-sub">{t('override.needsSecondPerson')}</p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </QueryState>
      <RequestOverrideDialog person={person} open={requesting} onClose={() => setRequesting(false)} />
      <ConfirmDialog
        open={deciding !== null}
        title={deciding?.decision === 'approve' ? t('override.approveTitle') : t('override.rejectTitle')}
        body={deciding?.decision === 'approve' ? t('override.approveBody') : t('override.rejectBody')}
        confirmLabel={deciding?.decision === 'approve' ? t('override.approve') : t('override.reject')}
        danger={deciding?.decision === 'approve'}
        busy={decide.isPending}
        error={decide.error ? <ErrorText error={decide.error} /> : null}
        onConfirm={() => deciding && decide.mutate(deciding)}
        onClose={() => {
          decide.reset();
          setDeciding(null);
        }}
        testId="override-decision"
      />
    </Card>
  );
}

/** The consent ledger of one person, and (for those who may) disclosures without consent. */
export function ConsentPanel({ person }: { person: PersonViewT }) {
  const t = useT();
  const can = useCanIn(person.ownerAgencyId);
  const [recording, setRecording] = useState(false);
  const [withdrawing, setWithdrawing] = useState<ConsentT | null>(null);
  const consents = useQuery({
    queryKey: consentsKey(person.id),
    queryFn: ({ signal }) => personsApi.consents(person.id, signal),
  });
  const manage = can('consent.manage') && !person.erased;
  // The ledger is the owning agency's: a recipient of shared data is not shown it.
  if (consents.isError && isApiError(consents.error) && consents.error.status === 403) return null;
  return (
    <>
      <Card
        title={
          <span className="class-title">
            <Icon name="consent" size={18} />
            {t('consent.title')}
          </span>
        }
        description={t('consent.lead')}
        testId="consent-panel"
        actions={
          manage ? (
            <Button
              size="sm"
              variant="primary"
              icon="plus"
              onClick={() => setRecording(true)}
              data-testid="consent-open"
            >
              {t('consent.record')}
            </Button>
          ) : null
        }
      >
        <QueryState query={consents} inline empty={<EmptyState icon="consent" title={t('consent.empty')} />}>
          {(list) => (
            <ul className="ledger" data-testid="consent-list">
              {list.map((c) => (
                <ConsentItem key={c.id} consent={c} canManage={manage} onWithdraw={() => setWithdrawing(c)} />
              ))}
            </ul>
          )}
        </QueryState>
      </Card>
      {manage ? (
        <>
          <RecordConsentDialog person={person} open={recording} onClose={() => setRecording(false)} />
          <WithdrawDialog person={person} consent={withdrawing} onClose={() => setWithdrawing(null)} />
        </>
      ) : null}
      {can('consent.override') ? <OverridesSection person={person} /> : null}
    </>
  );
}
