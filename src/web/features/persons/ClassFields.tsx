import type { ReactNode } from 'react';
import { Controller, get, useFieldArray, useFormContext } from 'react-hook-form';
import {
  CONTACT_CHANNELS,
  DOCUMENT_HOLDERS,
  DOCUMENT_TYPES,
  SEX_CODES,
} from '../../../shared/contracts/persons.js';
import { Button } from '../../components/Button.js';
import {
  CheckboxField,
  ChoiceField,
  FieldSet,
  SelectField,
  TextAreaField,
  TextField,
} from '../../components/Field.js';
import { Icon } from '../../components/Icon.js';
import { useT } from '../../i18n/useT.js';
import { CodePicker } from './CodePicker.js';
import { useCodeNames } from './codes.js';
import type { ClassForms, StatForm } from './forms.js';

const NAME_KINDS = ['primary', 'alias', 'birth', 'transliteration'] as const;
const ADDRESS_KINDS = ['home', 'current', 'shelter', 'other'] as const;

/** The message of the error at a dotted path, if any. */
function useFieldError(): (path: string) => string | undefined {
  const { formState } = useFormContext();
  return (path) => {
    const error = get(formState.errors, path) as
      | { message?: string; root?: { message?: string } }
      | undefined;
    return error?.message ?? error?.root?.message;
  };
}

function RemoveButton({ label, onClick, testId }: { label: string; onClick: () => void; testId?: string }) {
  return (
    <button
      type="button"
      className="icon-button row-remove"
      aria-label={label}
      title={label}
      onClick={onClick}
      data-testid={testId}
    >
      <Icon name="x" />
    </button>
  );
}

/**
 * A repeating group of rows (names, documents, phones, addresses): each row with a remove button (kept
 * while there are more than `minRows`), and an add button until there are `max`.
 */
function RowsFieldSet<R extends { id: string }>({
  legend,
  hint,
  error,
  rows,
  rowClassName,
  minRows = 0,
  max,
  removeLabel,
  onRemove,
  addLabel,
  addTestId,
  onAdd,
  children,
}: {
  legend: string;
  hint?: string;
  error?: string | undefined;
  rows: R[];
  rowClassName: string;
  minRows?: number;
  max: number;
  removeLabel: (n: number) => string;
  onRemove: (index: number) => void;
  addLabel: string;
  addTestId: string;
  onAdd: () => void;
  children: (index: number) => ReactNode;
}) {
  return (
    <FieldSet legend={legend} hint={hint} error={error}>
      {rows.length ? (
        <ol className="rows">
          {rows.map((row, i) => (
            <li key={row.id} className={`row ${rowClassName}`}>
              {children(i)}
              {rows.length > minRows ? (
                <RemoveButton label={removeLabel(i + 1)} onClick={() => onRemove(i)} />
              ) : (
                <span className="row-remove-placeholder" />
              )}
            </li>
          ))}
        </ol>
      ) : null}
      <div>
        <Button size="sm" icon="plus" disabled={rows.length >= max} onClick={onAdd} data-testid={addTestId}>
          {addLabel}
        </Button>
      </div>
    </FieldSet>
  );
}

/** Not recorded, yes or no: the options of a three-way answer. */
function YesNoOptions() {
  const t = useT();
  return (
    <>
      <option value="">{t('persons.notRecorded')}</option>
      <option value="yes">{t('common.yes')}</option>
      <option value="no">{t('common.no')}</option>
    </>
  );
}

/** Sex, birth year, citizenships, languages, interpreter: the non-identifying facts every role may see. */
export function StatisticalFields() {
  const t = useT();
  const { register, control } = useFormContext<StatForm>();
  const error = useFieldError();
  const names = useCodeNames();
  return (
    <div className="stack">
      <div className="form-grid form-grid-3">
        <ChoiceField
          label={t('person.sex')}
          data-testid="person-sex"
          error={error('sex')}
          {...register('sex')}
          placeholder={t('persons.notRecorded')}
          options={SEX_CODES}
          optionLabel={(code) => t(`sex.${code}`)}
        />
        <TextField
          label={t('person.birthYear')}
          hint={t('person.birthYearHint')}
          inputMode="numeric"
          maxLength={4}
          autoComplete="off"
          data-testid="person-birth-year"
          error={error('birthYear')}
          {...register('birthYear')}
        />
        <SelectField
          label={t('person.interpreterNeeded')}
          data-testid="person-interpreter"
          error={error('interpreterNeeded')}
          {...register('interpreterNeeded')}
        >
          <YesNoOptions />
        </SelectField>
      </div>
      <CheckboxField
        label={t('person.birthYearEstimated')}
        hint={t('person.birthYearEstimatedHint')}
        data-testid="person-birth-year-estimated"
        {...register('birthYearEstimated')}
      />
      <div className="form-grid">
        <Controller
          control={control}
          name="citizenships"
          render={({ field }) => (
            <CodePicker
              legend={t('person.citizenships')}
              hint={t('person.citizenshipsHint')}
              chooseLabel={t('person.chooseCountry')}
              value={field.value}
              onChange={field.onChange}
              options={names.countries}
              nameOf={names.country}
              max={5}
              error={error('citizenships')}
              testId="person-citizenships"
            />
          )}
        />
        <Controller
          control={control}
          name="languages"
          render={({ field }) => (
            <CodePicker
              legend={t('person.languages')}
              chooseLabel={t('person.chooseLanguage')}
              value={field.value}
              onChange={field.onChange}
              options={names.languages}
              nameOf={names.language}
              max={10}
              error={error('languages')}
              testId="person-languages"
            />
          )}
        />
      </div>
    </div>
  );
}

export function IdentityFields() {
  const t = useT();
  const { register, control } = useFormContext<ClassForms>();
  const error = useFieldError();
  const names = useFieldArray({ control, name: 'identity.names' });
  const documents = useFieldArray({ control, name: 'identity.documents' });
  const codes = useCodeNames();
  return (
    <div className="stack">
      <RowsFieldSet
        legend={t('identity.names')}
        hint={t('identity.namesHint')}
        error={error('identity.names')}
        rows={names.fields}
        rowClassName="row-name"
        minRows={1}
        max={20}
        removeLabel={(n) => t('identity.removeName', { n })}
        onRemove={names.remove}
        addLabel={t('identity.addName')}
        addTestId="identity-add-name"
        onAdd={() => names.append({ value: '', kind: 'alias' })}
      >
        {(i) => (
          <>
            <TextField
              label={t('identity.nameN', { n: i + 1 })}
              autoComplete="off"
              spellCheck={false}
              data-testid={`identity-name-${i}`}
              error={error(`identity.names.${i}.value`)}
              {...register(`identity.names.${i}.value`)}
            />
            <ChoiceField
              label={t('identity.nameKind')}
              data-testid={`identity-name-kind-${i}`}
              {...register(`identity.names.${i}.kind`)}
              options={NAME_KINDS}
              optionLabel={(kind) => t(`nameKind.${kind}`)}
            />
          </>
        )}
      </RowsFieldSet>
      <div className="form-grid">
        <TextField
          label={t('identity.birthDate')}
          hint={t('identity.birthDateHint')}
          type="date"
          autoComplete="off"
          data-testid="identity-birth-date"
          error={error('identity.birthDate')}
          {...register('identity.birthDate')}
        />
      </div>
      <RowsFieldSet
        legend={t('identity.documents')}
        hint={t('identity.documentsHint')}
        rows={documents.fields}
        rowClassName="row-document"
        max={20}
        removeLabel={(n) => t('identity.removeDocument', { n })}
        onRemove={documents.remove}
        addLabel={t('identity.addDocument')}
        addTestId="identity-add-document"
        onAdd={() => documents.append({ type: '', number: '', issuingCountry: '', heldBy: '' })}
      >
        {(i) => (
          <>
            <ChoiceField
              label={t('identity.documentType')}
              data-testid={`identity-doc-type-${i}`}
              error={error(`identity.documents.${i}.type`)}
              {...register(`identity.documents.${i}.type`)}
              placeholder={t('persons.choose')}
              options={DOCUMENT_TYPES}
              optionLabel={(type) => t(`docType.${type}`)}
            />
            <TextField
              label={t('identity.documentNumber')}
              autoComplete="off"
              spellCheck={false}
              className="input input-mono"
              data-testid={`identity-doc-number-${i}`}
              error={error(`identity.documents.${i}.number`)}
              {...register(`identity.documents.${i}.number`)}
            />
            <ChoiceField
              label={t('identity.issuingCountry')}
              data-testid={`identity-doc-country-${i}`}
              error={error(`identity.documents.${i}.issuingCountry`)}
              {...register(`identity.documents.${i}.issuingCountry`)}
              placeholder={t('person.chooseCountry')}
              options={codes.countries}
              optionValue={(o) => o.code}
              optionLabel={(o) => o.label}
            />
            <ChoiceField
              label={t('identity.heldBy')}
              hint={t('identity.heldByHint')}
              data-testid={`identity-doc-held-${i}`}
              error={error(`identity.documents.${i}.heldBy`)}
              {...register(`identity.documents.${i}.heldBy`)}
              placeholder={t('persons.choose')}
              options={DOCUMENT_HOLDERS}
              optionLabel={(holder) => t(`docHolder.${holder}`)}
            />
          </>
        )}
      </RowsFieldSet>
    </div>
  );
}

export function ContactFields() {
  const t = useT();
  const { register, control } = useFormContext<ClassForms>();
  const error = useFieldError();
  const addresses = useFieldArray({ control, name: 'contact.addresses' });
  const phones = useFieldArray({ control, name: 'contact.phones' });
  return (
    <div className="stack">
      <SectionNote text={t('contact.safetyNote')} />
      <RowsFieldSet
        legend={t('contact.phones')}
        rows={phones.fields}
        rowClassName="row-phone"
        max={10}
        removeLabel={(n) => t('contact.removePhone', { n })}
        onRemove={phones.remove}
        addLabel={t('contact.addPhone')}
        addTestId="contact-add-phone"
        onAdd={() => phones.append({ number: '', safeToCall: false })}
      >
        {(i) => (
          <>
            <TextField
              label={t('contact.phoneN', { n: i + 1 })}
              type="tel"
              autoComplete="off"
              inputMode="tel"
              className="input input-mono"
              data-testid={`contact-phone-${i}`}
              error={error(`contact.phones.${i}.number`)}
              {...register(`contact.phones.${i}.number`)}
            />
            <div className="row-check">
              <CheckboxField
                label={t('contact.safeToCall')}
                hint={t('contact.safeToCallHint')}
                data-testid={`contact-phone-safe-${i}`}
                {...register(`contact.phones.${i}.safeToCall`)}
              />
            </div>
          </>
        )}
      </RowsFieldSet>
      <RowsFieldSet
        legend={t('contact.addresses')}
        rows={addresses.fields}
        rowClassName="row-address"
        max={10}
        removeLabel={(n) => t('contact.removeAddress', { n })}
        onRemove={addresses.remove}
        addLabel={t('contact.addAddress')}
        addTestId="contact-add-address"
        onAdd={() => addresses.append({ text: '', kind: 'current' })}
      >
        {(i) => (
          <>
            <TextField
              label={t('contact.addressN', { n: i + 1 })}
              autoComplete="off"
              data-testid={`contact-address-${i}`}
              error={error(`contact.addresses.${i}.text`)}
              {...register(`contact.addresses.${i}.text`)}
            />
            <ChoiceField
              label={t('contact.addressKind')}
              {...register(`contact.addresses.${i}.kind`)}
              options={ADDRESS_KINDS}
              optionLabel={(kind) => t(`addressKind.${kind}`)}
            />
          </>
        )}
      </RowsFieldSet>
      <FieldSet legend={t('contact.safeContact')} hint={t('contact.safeContactHint')} className="subsection">
        <div className="form-grid form-grid-3">
          <SelectField
            label={t('contact.safeToCallBack')}
            data-testid="contact-safe-callback"
            error={error('contact.safeContact.safeToCallBack')}
            {...register('contact.safeContact.safeToCallBack')}
          >
            <YesNoOptions />
          </SelectField>
          <TextField
            label={t('contact.safeTimes')}
            hint={t('contact.safeTimesHint')}
            autoComplete="off"
            data-testid="contact-safe-times"
            error={error('contact.safeContact.safeTimes')}
            {...register('contact.safeContact.safeTimes')}
          />
          <TextField
            label={t('contact.codeWord')}
            hint={t('contact.codeWordHint')}
            autoComplete="off"
            spellCheck={false}
            data-testid="contact-code-word"
            error={error('contact.safeContact.codeWord')}
            {...register('contact.safeContact.codeWord')}
          />
        </div>
        <FieldSet legend={t('contact.doNotContactVia')}>
          <div className="checkbox-grid checkbox-grid-3">
            {CONTACT_CHANNELS.map((channel) => (
              <CheckboxField
                key={channel}
                label={t(`channel.${channel}`)}
                value={channel}
                data-testid={`contact-dnc-${channel}`}
                {...register('contact.safeContact.doNotContactVia')}
              />
            ))}
          </div>
        </FieldSet>
      </FieldSet>
    </div>
  );
}

function SectionNote({ text }: { text: string }) {
  return (
    <p className="section-note">
      <Icon name="info" size={16} />
      <span>{text}</span>
    </p>
  );
}

export function NotesFields({ cls }: { cls: 'trafficking' | 'health' | 'legal' }) {
  const t = useT();
  const { register } = useFormContext<ClassForms>();
  const error = useFieldError();
  return (
    <TextAreaField
      label={t(`notes.${cls}`)}
      hint={t(`notes.${cls}Hint`)}
      rows={6}
      maxLength={20_000}
      autoComplete="off"
      data-testid={`${cls}-notes`}
      error={error(`${cls}.notes`)}
      {...register(`${cls}.notes`)}
    />
  );
}

export function ChildFields() {
  const t = useT();
  const { register } = useFormContext<ClassForms>();
  const error = useFieldError();
  return (
    <div className="stack">
      <div className="form-grid">
        <TextField
          label={t('child.guardianName')}
          autoComplete="off"
          data-testid="child-guardian-name"
          error={error('child.guardianName')}
          {...register('child.guardianName')}
        />
      </div>
      <TextAreaField
        label={t('child.bestInterests')}
        hint={t('child.bestInterestsHint')}
        rows={5}
        maxLength={20_000}
        autoComplete="off"
        data-testid="child-best-interests"
        error={error('child.bestInterestsNotes')}
        {...register('child.bestInterestsNotes')}
      />
    </div>
  );
}

/** The form section of one class. */
export function ClassFormSection({ cls }: { cls: keyof ClassForms }) {
  switch (cls) {
    case 'identity':
      return <IdentityFields />;
    case 'contact':
      return <ContactFields />;
    case 'child':
      return <ChildFields />;
    default:
      return <NotesFields cls={cls} />;
  }
}
