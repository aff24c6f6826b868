import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { LOCALES, type Locale } from '../../../shared/domain/locales.js';
import { Alert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ErrorText } from '../../components/ErrorText.js';
import { SelectField, TextField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useLocale } from '../../i18n/LocaleProvider.js';
import { useT } from '../../i18n/useT.js';
import { download } from './binary.js';

const LANGUAGE_NAMES: Record<Locale, string> = { tk: 'Türkmençe', ru: 'Русский', en: 'English' };

/** Produces the report (a step-up is asked for when the last sign-in is not recent) and downloads it. */
export function useAccessReport() {
  return useMutation({
    gcTime: 0,
    mutationFn: (body: { ref: string; locale: Locale }) =>
      download('/api/access-reports', { method: 'POST', body }),
  });
}

/** A reference input, the subject's language and the button, for the DPO (permission dsar.export). */
export function AccessReportForm({ initialRef = '' }: { initialRef?: string }) {
  const t = useT();
  const { locale } = useLocale();
  const [ref, setRef] = useState(initialRef);
  const [language, setLanguage] = useState<Locale>(locale);
  const report = useAccessReport();
  return (
    <form
      className="stack"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        report.mutate({ ref: ref.trim(), locale: language });
      }}
    >
      <TextField
        label={t('dsar.ref')}
        hint={t('dsar.refHint')}
        value={ref}
        onChange={(e) => setRef(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        required
        data-testid="dsar-ref"
      />
      <SelectField
        label={t('dsar.language')}
        value={language}
        onChange={(e) => setLanguage(e.target.value as Locale)}
        data-testid="dsar-language"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </SelectField>
      {report.isError ? <ErrorText error={report.error} /> : null}
      {report.isSuccess ? <Alert kind="success" title={t('dsar.produced')} testId="dsar-produced" /> : null}
      <div>
        <Button type="submit" variant="primary" icon="lock" busy={report.isPending} data-testid="dsar-submit">
          {t('dsar.submit')}
        </Button>
      </div>
    </form>
  );
}

/** The DPO's page for data-subject access requests. */
export function AccessReportPage() {
  const t = useT();
  return (
    <>
      <PageHeader title={t('dsar.title')} description={t('dsar.lead')} />
      <div className="stack">
        <Card testId="dsar-card">
          <AccessReportForm />
        </Card>
      </div>
    </>
  );
}
