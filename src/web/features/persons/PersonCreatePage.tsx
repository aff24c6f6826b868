import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { PersonCreate } from '../../../shared/contracts/persons.js';
import { type FieldClass, writableClasses } from '../../../shared/domain/fields.js';
import { Alert } from '../../components/Alert.js';
import { Button, ButtonLink } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { FormError } from '../../components/ErrorText.js';
import { SelectField } from '../../components/Field.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import { type PersonCreatedT, type PersonCreateT, personsApi } from './api.js';
import { ClassFormSection, StatisticalFields } from './ClassFields.js';
import {
  applyServerIssues,
  bodyResolver,
  classBody,
  classIsEmpty,
  EMPTY_STAT,
  emptyClasses,
  type RegisterForm,
  statBody,
} from './forms.js';
import { PersonTable } from './PersonsPage.js';
import { personsKey, SENSITIVE_MUTATION, useRegisteringMemberships } from './queries.js';
import './persons.css';

function toCreateBody(values: RegisterForm, writable: readonly FieldClass[], chooseAgency: boolean) {
  const body: Record<string, unknown> = { ...statBody(values, false) };
  if (chooseAgency) body.agencyId = values.agencyId || undefined;
  for (const cls of writable) {
    if (!classIsEmpty(cls, values)) body[cls] = classBody(cls, values, false);
  }
  return body;
}

/** After saving: the likely matches in the caller's scope, shown before the new record opens. */
function PossibleDuplicates({ created, onContinue }: { created: PersonCreatedT; onContinue: () => void }) {
  const t = useT();
  return (
    <div className="stack" data-testid="possible-duplicates">
      <Alert kind="warning" title={t('persons.duplicatesTitle')}>
        <p>{t('persons.duplicatesBody', { ref: created.person.ref })}</p>
      </Alert>
      <Card title={t('persons.duplicatesListTitle')}>
        <PersonTable
          persons={created.possibleDuplicates}
          caption={t('persons.duplicatesListTitle')}
          testId="duplicate-table"
        />
      </Card>
      <div className="form-actions form-actions-start">
        <Button variant="primary" onClick={onContinue} data-testid="duplicates-continue">
          {t('persons.openNewRecord', { ref: created.person.ref })}
        </Button>
      </div>
    </div>
  );
}

export function PersonCreatePage() {
  const t = useT();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const memberships = useRegisteringMemberships();
  const chooseAgency = memberships.length > 1;
  const [created, setCreated] = useState<PersonCreatedT | null>(null);
  const [shownIssues, setShownIssues] = useState<string[]>([]);

  const defaults = useMemo<RegisterForm>(
    () => ({ agencyId: memberships[0]?.agencyId ?? '', ...EMPTY_STAT, ...emptyClasses() }),
    [memberships],
  );
  const writableFor = useMemo(() => {
    const byAgency = new Map(memberships.map((m) => [m.agencyId, writableClasses(m.roles)]));
    return (id: string): FieldClass[] => byAgency.get(id) ?? [];
  }, [memberships]);
  const form = useForm<RegisterForm, unknown, PersonCreateT>({
    defaultValues: defaults,
    // The classes sent are those the chosen agency's roles may write (`writable` is unknown before creation).
    resolver: bodyResolver(
      PersonCreate,
      (v: RegisterForm) => toCreateBody(v, writableFor(v.agencyId), chooseAgency),
      t,
    ),
  });
  const agencyId = form.watch('agencyId');
  const writable = writableFor(agencyId);

  const create = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: personsApi.create,
    onSuccess: async (result) => {
      form.reset(defaults);
      await queryClient.invalidateQueries({ queryKey: personsKey });
      toast(t('persons.registered', { ref: result.person.ref }));
      if (result.possibleDuplicates.length) setCreated(result);
      else navigate(`/persons/${result.person.id}`);
    },
    onError: (error) => setShownIssues(applyServerIssues(error, form.getValues(), form.setError)),
  });

  if (created) {
    return (
      <>
        <PageHeader title={t('persons.registerTitle')} back={{ to: '/persons', label: t('persons.back') }} />
        <PossibleDuplicates created={created} onContinue={() => navigate(`/persons/${created.person.id}`)} />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={t('persons.registerTitle')}
        description={t('persons.registerLead')}
        back={{ to: '/persons', label: t('persons.back') }}
      />
      <FormProvider {...form}>
        <form
          noValidate
          autoComplete="off"
          className="stack person-form"
          data-testid="person-create-form"
          onSubmit={form.handleSubmit((body) => {
            setShownIssues([]);
            create.mutate(body);
          })}
        >
          <FormError error={create.error} fields={shownIssues} />
          {chooseAgency ? (
            <Card title={t('persons.registeringAgency')}>
              <div className="form-grid">
                <SelectField
                  label={t('person.agency')}
                  hint={t('persons.registeringAgencyHint')}
                  required
                  data-testid="person-agency"
                  {...form.register('agencyId')}
                >
                  {memberships.map((m) => (
                    <option key={m.agencyId} value={m.agencyId}>
                      {m.agencyName}
                    </option>
                  ))}
                </SelectField>
              </div>
            </Card>
          ) : null}
          <Card title={t('persons.factsTitle')} description={t('persons.factsLead')} testId="section-facts">
            <StatisticalFields />
          </Card>
          {writable.map((cls) => (
            <Card
              key={cls}
              title={
                <span className="class-title">
                  <Icon name="lock" size={18} />
                  {t(`class.${cls}`)}
                </span>
              }
              description={t(`classDesc.${cls}`)}
              testId={`section-${cls}`}
            >
              <ClassFormSection cls={cls} />
            </Card>
          ))}
          {writable.length ? (
            <p className="section-note">
              <Icon name="info" size={16} />
              <span>{t('persons.sectionsOptional')}</span>
            </p>
          ) : (
            <Alert kind="info">{t('persons.noWritableClasses')}</Alert>
          )}
          <div className="form-actions">
            <ButtonLink to="/persons">{t('common.cancel')}</ButtonLink>
            <Button
              type="submit"
              variant="primary"
              busy={create.isPending}
              data-testid="person-create-submit"
            >
              {t('persons.registerSubmit')}
            </Button>
          </div>
        </form>
      </FormProvider>
    </>
  );
}
