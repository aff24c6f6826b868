import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AgencyCreate } from '../../../shared/contracts/admin.js';
import { AGENCY_TYPES, type AgencyType } from '../../../shared/domain/access.js';
import { LOCALES } from '../../../shared/domain/locales.js';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import type { AgencyT } from '../../api/types.js';
import { zodMessages } from '../../app/zodErrors.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/ErrorText.js';
import { FieldSet, SelectField, TextField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { useToast } from '../../components/Toasts.js';
import { LOCALE_NAMES } from '../../i18n/messages.js';
import { agencyTypeKey, useT } from '../../i18n/useT.js';
import { agenciesKey } from './queries.js';

/** The create schema, with the region as typed (empty means none). */
const FormSchema = AgencyCreate.extend({ region: z.string().trim().max(100) });
type FormValues = z.input<typeof FormSchema>;

const FIELDS = ['code', 'type', 'name.tk', 'name.ru', 'name.en', 'region'] as const;

export function AgencyFormDialog({
  open,
  onClose,
  agency,
  onSaved,
}: {
  open: boolean;
  onClose: () => void;
  /** Editing this agency; creating a new one when absent. */
  agency?: AgencyT;
  onSaved?: (agency: AgencyT) => void;
}) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const editing = !!agency;
  const [error, setError] = useState<unknown>(null);

  const form = useForm<FormValues>({
    resolver: zodResolver(FormSchema, zodMessages(t)),
    values: agency
      ? { code: agency.code, type: agency.type, name: { ...agency.name }, region: agency.region ?? '' }
      : { code: '', type: 'police', name: { tk: '', ru: '', en: '' }, region: '' },
    resetOptions: { keepDirtyValues: false },
  });
  const { errors } = form.formState;

  const save = useMutation({
    mutationFn: async (values: FormValues) => {
      const region = values.region?.trim() ? values.region.trim() : null;
      if (agency) return endpoints.patchAgency(agency.id, { name: values.name, region }, agency.version);
      return endpoints.createAgency({
        code: values.code.trim(),
        type: values.type,
        name: values.name,
        region,
      });
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: agenciesKey });
      toast(editing ? t('agencies.saved') : t('agencies.created'));
      onSaved?.(saved);
      close();
    },
    onError: setError,
  });

  const close = () => {
    setError(null);
    form.reset();
    onClose();
  };

  const typeOptions = [...AGENCY_TYPES]
    .map((type) => ({ type, label: t(agencyTypeKey(type)) }))
    .sort((a, b) => a.label.localeCompare(b.label));

  const fieldError = (path: (typeof FIELDS)[number], local?: string) => local ?? issueFor(error, path);

  return (
    <Dialog
      open={open}
      onClose={close}
      title={editing ? t('agencies.editTitle') : t('agencies.createTitle')}
      size="lg"
      testId="agency-dialog"
    >
      <form
        noValidate
        className="stack"
        onSubmit={form.handleSubmit((values) => {
          setError(null);
          save.mutate(values);
        })}
      >
        <FormError error={error} fields={FIELDS} />
        <div className="form-grid">
          <TextField
            label={t('agencies.code')}
            hint={t('agencies.codeHint')}
            required
            disabled={editing}
            autoCapitalize="none"
            spellCheck={false}
            className="input input-mono"
            data-testid="agency-code"
            error={fieldError('code', errors.code?.message)}
            {...form.register('code')}
          />
          <SelectField
            label={t('agencies.type')}
            required
            disabled={editing}
            data-testid="agency-type"
            error={fieldError('type', errors.type?.message)}
            {...form.register('type')}
          >
            {typeOptions.map((option) => (
              <option key={option.type} value={option.type as AgencyType}>
                {option.label}
              </option>
            ))}
          </SelectField>
        </div>
        <FieldSet legend={t('agencies.names')} hint={t('agencies.namesHint')}>
          <div className="form-grid form-grid-3">
            {LOCALES.map((locale) => (
              <TextField
                key={locale}
                label={LOCALE_NAMES[locale]}
                lang={locale}
                required
                data-testid={`agency-name-${locale}`}
                error={fieldError(`name.${locale}`, errors.name?.[locale]?.message)}
                {...form.register(`name.${locale}`)}
              />
            ))}
          </div>
        </FieldSet>
        <TextField
          label={t('agencies.region')}
          hint={t('agencies.regionHint')}
          data-testid="agency-region"
          error={fieldError('region', errors.region?.message)}
          {...form.register('region')}
        />
        <FormActions
          onCancel={close}
          busy={save.isPending}
          submitLabel={editing ? t('common.save') : t('agencies.create')}
          testId="agency-save"
        />
      </form>
    </Dialog>
  );
}
