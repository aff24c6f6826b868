import { Controller, get, useFieldArray, useFormContext } from 'react-hook-form';
import {
  CONTACT_CHANNELS,
  DOCUMENT_HOLDERS,
  DOCUMENT_TYPES,
  SEX_CODES,
} from '../../../shared/contracts/persons.js';
import { Button } from '../../components/Button.js';
import { CheckboxField, FieldSet, SelectField, TextAreaField, TextField } from '../../components/Field.js';
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

/** Sex, birth year, citizenships, languages, interpreter: the non-identifying facts every role may see. */
export function StatisticalFields() {
  const t = useT();
  const { register, control } = useFormContext<StatForm>();
  const error = useFieldError();
  const names = useCodeNames();
  return (
    <div className="stack">
      <div className="form-grid form-grid-3">
        <SelectField
          label={t('person.sex')}
          data-testid="person-sex"
          error={error('sex')}
          {...register('sex')}
        >
          <option value="">{t('persons.notRecorded')}</option>
          {SEX_CODES.map((code) => (
            <option key={code} value={code}>
              {t(`sex.${code}`)}
            </option>
          ))}
        </SelectField>
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
          <option value="">{t('persons.notRecorded')}</option>
          <option value="yes">{t('common.yes')}</option>
          <option value="no">{t('common.no')}</option>
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
      <FieldSet legend={t('identity.names')} hint={t('identity.namesHint')} error={error('identity.names')}>
        <ol className="rows">
          {names.fields.map((row, i) => (
            <li key={row.id} className="row row-name">
              <TextField
                label={t('identity.nameN', { n: i + 1 })}
                autoComplete="off"
                spellCheck={false}
                data-testid={`identity-name-${i}`}
                error={error(`identity.names.${i}.value`)}
                {...register(`identity.names.${i}.value`)}
              />
              <SelectField
                label={t('identity.nameKind')}
                data-testid={`identity-name-kind-${i}`}
                {...register(`identity.names.${i}.kind`)}
              >
                {NAME_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {t(`nameKind.${kind}`)}
                  </option>
                ))}
              </SelectField>
              {names.fields.length > 1 ? (
                <RemoveButton
                  label={t('identity.removeName', { n: i + 1 })}
                  onClick={() => names.remove(i)}
                />
              ) : (
                <span className="row-remove-placeholder" />
              )}
            </li>
          ))}
        </ol>
        <div>
          <Button
            size="sm"
            icon="plus"
            disabled={names.fields.length >= 20}
            onClick={() => names.append({ value: '', kind: 'alias' })}
            data-testid="identity-add-name"
          >
            {t('identity.addName')}
          </Button>
        </div>
      </FieldSet>
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
      <FieldSet legend={t('identity.documents')} hint={t('identity.documentsHint')}>
        {documents.fields.length ? (
          <ol className="rows">
            {documents.fields.map((row, i) => (
              <li key={row.id} className="row row-document">
                <SelectField
                  label={t('identity.documentType')}
                  data-testid={`identity-doc-type-${i}`}
                  error={error(`identity.documents.${i}.type`)}
                  {...register(`identity.documents.${i}.type`)}
                >
                  <option value="">{t('persons.choose')}</option>
                  {DOCUMENT_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {t(`docType.${type}`)}
                    </option>
                  ))}
                </SelectField>
                <TextField
                  label={t('identity.documentNumber')}
                  autoComplete="off"
                  spellCheck={false}
                  className="input input-mono"
                  data-testid={`identity-doc-number-${i}`}
                  error={error(`identity.documents.${i}.number`)}
                  {...register(`identity.documents.${i}.number`)}
                />
                <SelectField
                  label={t('identity.issuingCountry')}
                  data-testid={`identity-doc-country-${i}`}
                  error={error(`identity.documents.${i}.issuingCountry`)}
                  {...register(`identity.documents.${i}.issuingCountry`)}
                >
                  <option value="">{t('person.chooseCountry')}</option>
                  {codes.countries.map((o) => (
                    <option key={o.code} value={o.code}>
                      {o.label}
                    </option>
                  ))}
                </SelectField>
                <SelectField
                  label={t('identity.heldBy')}
                  hint={t('identity.heldByHint')}
                  data-testid={`identity-doc-held-${i}`}
                  error={error(`identity.documents.${i}.heldBy`)}
                  {...register(`identity.documents.${i}.heldBy`)}
                >
                  <option value="">{t('persons.choose')}</option>
                  {DOCUMENT_HOLDERS.map((holder) => (
                    <option key={holder} value={holder}>
                      {t(`docHolder.${holder}`)}
                    </option>
                  ))}
                </SelectField>
                <RemoveButton
                  label={t('identity.removeDocument', { n: i + 1 })}
                  onClick={() => documents.remove(i)}
                />
              </li>
            ))}
          </ol>
        ) : null}
        <div>
          <Button
            size="sm"
            icon="plus"
            disabled={documents.fields.length >= 20}
            onClick={() => documents.append({ type: '', number: '', issuingCountry: '', heldBy: '' })}
            data-testid="identity-add-document"
          >
            {t('identity.addDocument')}
          </Button>
        </div>
      </FieldSet>
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
      <FieldSet legend={t('contact.phones')}>
        {phones.fields.length ? (
          <ol className="rows">
            {phones.fields.map((row, i) => (
              <li key={row.id} className="row row-phone">
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
                <RemoveButton
                  label={t('contact.removePhone', { n: i + 1 })}
                  onClick={() => phones.remove(i)}
                />
              </li>
            ))}
          </ol>
        ) : null}
        <div>
          <Button
            size="sm"
            icon="plus"
            disabled={phones.fields.length >= 10}
            onClick={() => phones.append({ number: '', safeToCall: false })}
            data-testid="contact-add-phone"
          >
            {t('contact.addPhone')}
          </Button>
        </div>
      </FieldSet>
      <FieldSet legend={t('contact.addresses')}>
        {addresses.fields.length ? (
          <ol className="rows">
            {addresses.fields.map((row, i) => (
              <li key={row.id} className="row row-address">
                <TextField
                  label={t('contact.addressN', { n: i + 1 })}
                  autoComplete="off"
                  data-testid={`contact-address-${i}`}
                  error={error(`contact.addresses.${i}.text`)}
                  {...register(`contact.addresses.${i}.text`)}
                />
                <SelectField label={t('contact.addressKind')} {...register(`contact.addresses.${i}.kind`)}>
                  {ADDRESS_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {t(`addressKind.${kind}`)}
                    </option>
                  ))}
                </SelectField>
                <RemoveButton
                  label={t('contact.removeAddress', { n: i + 1 })}
                  onClick={() => addresses.remove(i)}
                />
              </li>
            ))}
          </ol>
        ) : null}
        <div>
          <Button
            size="sm"
            icon="plus"
            disabled={addresses.fields.length >= 10}
            onClick={() => addresses.append({ text: '', kind: 'current' })}
            data-testid="contact-add-address"
          >
            {t('contact.addAddress')}
          </Button>
        </div>
      </FieldSet>
      <FieldSet legend={t('contact.safeContact')} hint={t('contact.safeContactHint')} className="subsection">
        <div className="form-grid form-grid-3">
          <SelectField
            label={t('contact.safeToCallBack')}
            data-testid="contact-safe-callback"
            error={error('contact.safeContact.safeToCallBack')}
            {...register('contact.safeContact.safeToCallBack')}
          >
            <option value="">{t('persons.notRecorded')}</option>
            <option value="yes">{t('common.yes')}</option>
            <option value="no">{t('common.no')}</option>
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
