import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { FormattedDate, useIntl } from 'react-intl';
import { useParams } from 'react-router';
import { PersonPatch } from '../../../shared/contracts/persons.js';
import { FIELD_CLASSES, type FieldClass, IDENTIFYING_CLASSES } from '../../../shared/domain/fields.js';
import { isApiError } from '../../api/client.js';
import { NotFoundPage } from '../../app/NotFoundPage.js';
import { Alert } from '../../components/Alert.js';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card, DetailList } from '../../components/Card.js';
import { ErrorText, FormError } from '../../components/ErrorText.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import { PersonErasureCard } from '../erasure/PersonErasureCard.js';
import { AccessReportForm } from './AccessReportPage.js';
import { type PersonPatchT, type PersonViewT, personsApi, type RevealedT } from './api.js';
import { ClassFormSection, StatisticalFields } from './ClassFields.js';
import { ClassView } from './ClassView.js';
import { ConsentPanel } from './ConsentPanel.js';
import { useCodeNames } from './codes.js';
import {
  applyServerIssues,
  bodyResolver,
  type ClassForms,
  classBody,
  formFromRevealed,
  type StatForm,
  statBody,
} from './forms.js';
import { PersonFilesCard } from './PersonFilesCard.js';
import { PersonHistoryCard } from './PersonHistoryCard.js';
import { PersonLinks } from './PersonLinks.js';
import { SexLabel, YearLabel } from './PersonsPage.js';
import {
  personsKey,
  revealedKey,
  SENSITIVE_MUTATION,
  useAgencyLabel,
  useCanIn,
  useCanInAgency,
  useForgetRevealedOnLeave,
  usePerson,
  useRevealed,
} from './queries.js';
import './persons.css';

function useSavePerson(person: PersonViewT) {
  const queryClient = useQueryClient();
  return useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (body: PersonPatchT) => personsApi.patch(person.id, body, person.version),
    onSuccess: async (updated) => {
      queryClient.setQueryData([...personsKey, 'one', person.id], updated);
      await queryClient.invalidateQueries({ queryKey: [...personsKey, 'list'] });
    },
  });
}

function FactsEditForm({ person, onDone }: { person: PersonViewT; onDone: () => void }) {
  const t = useT();
  const toast = useToast();
  const save = useSavePerson(person);
  const [shown, setShown] = useState<string[]>([]);
  const form = useForm<StatForm, unknown, PersonPatchT>({
    defaultValues: {
      sex: person.sex ?? '',
      birthYear: person.birthYear === null ? '' : String(person.birthYear),
      birthYearEstimated: person.birthYearEstimated,
      citizenships: [...person.citizenships],
      languages: [...person.languages],
      interpreterNeeded: person.interpreterNeeded === null ? '' : person.interpreterNeeded ? 'yes' : 'no',
    },
    resolver: bodyResolver(PersonPatch, (v: StatForm) => statBody(v, true), t),
  });
  return (
    <FormProvider {...form}>
      <form
        noValidate
        autoComplete="off"
        className="stack"
        data-testid="facts-form"
        onSubmit={form.handleSubmit((body) => {
          setShown([]);
          save.mutate(body, {
            onSuccess: () => {
              toast(t('common.savedToast'));
              onDone();
            },
            onError: (error) => setShown(applyServerIssues(error, form.getValues(), form.setError)),
          });
        })}
      >
        <FormError error={save.error} fields={shown} />
        <StatisticalFields />
        <div className="form-actions">
          <Button onClick={onDone} disabled={save.isPending}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" busy={save.isPending} data-testid="facts-save">
            {t('common.save')}
          </Button>
        </div>
      </form>
    </FormProvider>
  );
}

function FactsCard({ person }: { person: PersonViewT }) {
  const t = useT();
  const can = useCanIn(person.ownerAgencyId);
  const codes = useCodeNames();
  const agencyLabel = useAgencyLabel();
  const [editing, setEditing] = useState(false);
  const list = (codesList: string[], name: (code: string) => string) =>
    codesList.length ? codesList.map(name).join(', ') : <span className="muted">—</span>;
  return (
    <Card
      title={t('persons.factsTitle')}
      description={t('persons.factsShortLead')}
      testId="person-facts"
      actions={
        can('person.update') && !editing && !person.erased ? (
          <Button size="sm" icon="edit" onClick={() => setEditing(true)} data-testid="facts-edit">
            {t('common.edit')}
          </Button>
        ) : null
      }
    >
      {editing ? (
        <FactsEditForm person={person} onDone={() => setEditing(false)} />
      ) : (
        <DetailList
          items={[
            { key: 'sex', label: t('person.sex'), value: <SexLabel sex={person.sex} /> },
            {
              key: 'year',
              label: t('person.birthYear'),
              value: <YearLabel year={person.birthYear} estimated={person.birthYearEstimated} />,
            },
            { key: 'cit', label: t('person.citizenships'), value: list(person.citizenships, codes.country) },
            { key: 'lang', label: t('person.languages'), value: list(person.languages, codes.language) },
            {
              key: 'interp',
              label: t('person.interpreterNeeded'),
              value:
                person.interpreterNeeded === null ? (
                  <span className="muted">—</span>
                ) : person.interpreterNeeded ? (
                  t('common.yes')
                ) : (
                  t('common.no')
                ),
            },
            { key: 'agency', label: t('person.agency'), value: agencyLabel(person.ownerAgencyId) },
            {
              key: 'created',
              label: t('person.registered'),
              value: <FormattedDate value={person.createdAt} dateStyle="long" />,
            },
          ]}
        />
      )}
    </Card>
  );
}

function ClassEditForm({
  person,
  cls,
  value,
  onDone,
}: {
  person: PersonViewT;
  cls: FieldClass;
  value: RevealedT[FieldClass] | null;
  onDone: () => void;
}) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const save = useSavePerson(person);
  const [shown, setShown] = useState<string[]>([]);
  const form = useForm<ClassForms, unknown, PersonPatchT>({
    defaultValues: formFromRevealed(cls, value),
    resolver: bodyResolver(PersonPatch, (v: ClassForms) => ({ [cls]: classBody(cls, v, true) }), t),
  });
  return (
    <FormProvider {...form}>
      <form
        noValidate
        autoComplete="off"
        className="stack"
        data-testid={`edit-form-${cls}`}
        onSubmit={form.handleSubmit((body) => {
          setShown([]);
          save.mutate(body, {
            onSuccess: () => {
              // What was saved is what the user sees: no second (audited) read of the class.
              queryClient.setQueryData(revealedKey(person.id, cls), { value: body[cls] ?? null });
              toast(t('common.savedToast'));
              onDone();
            },
            onError: (error) => setShown(applyServerIssues(error, form.getValues(), form.setError)),
          });
        })}
      >
        <FormError error={save.error} fields={shown} />
        <ClassFormSection cls={cls} />
        <div className="form-actions">
          <Button onClick={onDone} disabled={save.isPending}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" busy={save.isPending} data-testid={`save-${cls}`}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </FormProvider>
  );
}

/** Mounted only while the class is shown: unmounting forgets the fields (gcTime 0). */
function RevealedFields({
  person,
  cls,
  onHide,
}: {
  person: PersonViewT;
  cls: FieldClass;
  onHide: () => void;
}) {
  const t = useT();
  const revealed = useRevealed(person.id, cls, true);
  const [editing, setEditing] = useState(false);
  const writable = person.writable.includes(cls) && !person.erased;
  const region = useRef<HTMLElement>(null);
  // The "Show" button is gone once the fields are there: keyboard and screen-reader users land on them.
  useEffect(() => {
    if (revealed.isSuccess && !editing) region.current?.focus();
  }, [revealed.isSuccess, editing]);

  if (revealed.isPending) return <Loading inline label={t('reveal.loading')} />;
  if (revealed.isError) {
    return (
      <Alert kind="error" title={t('reveal.failed')}>
        <ErrorText error={revealed.error} />
        <div className="alert-actions">
          <Button size="sm" onClick={() => void revealed.refetch()} data-testid={`reveal-retry-${cls}`}>
            {t('common.retry')}
          </Button>
          <Button size="sm" variant="ghost" onClick={onHide}>
            {t('reveal.hide')}
          </Button>
        </div>
      </Alert>
    );
  }
  const value = revealed.data.value;
  return (
    <section
      ref={region}
      tabIndex={-1}
      className="revealed"
      aria-label={t(`class.${cls}`)}
      data-testid={`revealed-${cls}`}
    >
      {editing ? (
        <ClassEditForm person={person} cls={cls} value={value} onDone={() => setEditing(false)} />
      ) : (
        <>
          <div className="revealed-bar">
            <span className="revealed-note">
              <Icon name="eye" size={16} />
              {t('reveal.recorded')}
            </span>
            <span className="revealed-actions">
              {writable ? (
                <Button size="sm" icon="edit" onClick={() => setEditing(true)} data-testid={`edit-${cls}`}>
                  {value ? t('common.edit') : t('reveal.add')}
                </Button>
              ) : null}
              <Button size="sm" icon="eyeOff" onClick={onHide} data-testid={`hide-${cls}`}>
                {t('reveal.hide')}
              </Button>
            </span>
          </div>
          {value ? (
            <ClassView cls={cls} value={value} />
          ) : (
            <EmptyState icon="info" title={t('reveal.nothingRecorded')} />
          )}
        </>
      )}
    </section>
  );
}

/** One protected class: hidden until the user asks, and each asking is an audited disclosure. */
function ClassCard({ person, cls }: { person: PersonViewT; cls: FieldClass }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState(false);
  const showButton = useRef<HTMLSpanElement>(null);
  const returnFocus = useRef(false);
  const hide = () => {
    returnFocus.current = true;
    setShown(false);
    queryClient.removeQueries({ queryKey: revealedKey(person.id, cls) });
  };
  useEffect(() => {
    if (!shown && returnFocus.current) {
      returnFocus.current = false;
      showButton.current?.querySelector('button')?.focus();
    }
  }, [shown]);
  const identifying = IDENTIFYING_CLASSES.includes(cls);
  return (
    <Card
      className={shown ? 'class-card class-card-open' : 'class-card'}
      title={
        <span className="class-title">
          <Icon name={shown ? 'eye' : 'lock'} size={18} />
          {t(`class.${cls}`)}
        </span>
      }
      description={t(`classDesc.${cls}`)}
      testId={`class-${cls}`}
      actions={
        shown ? null : (
          <span ref={showButton}>
            <Button icon="eye" onClick={() => setShown(true)} data-testid={`reveal-${cls}`}>
              {t('reveal.show')}
            </Button>
          </span>
        )
      }
    >
      {shown ? (
        <RevealedFields person={person} cls={cls} onHide={hide} />
      ) : (
        <div className="masked">
          <span className="masked-dots" aria-hidden="true">
            ••••••• ••••••••• •••••
          </span>
          <p className="masked-note">{identifying ? t('reveal.noteIdentifying') : t('reveal.note')}</p>
        </div>
      )}
    </Card>
  );
}

export function PersonPage() {
  const { id = '' } = useParams();
  const t = useT();
  const intl = useIntl();
  const person = usePerson(id);
  const agencyLabel = useAgencyLabel();
  const canInOwner = useCanInAgency();
  useForgetRevealedOnLeave(id);

  if (person.isPending) return <Loading />;
  if (person.isError) {
    if (isApiError(person.error) && person.error.status === 404) return <NotFoundPage />;
    return <LoadError error={person.error} onRetry={() => void person.refetch()} />;
  }
  const p = person.data;
  const readable = FIELD_CLASSES.filter((cls) => p.readable.includes(cls));
  // The consent ledger belongs to the owning agency; a record shared by consent does not show it.
  const consentHere = canInOwner(p.ownerAgencyId, 'consent.read');
  const erasureHere = canInOwner(p.ownerAgencyId, 'erasure.request');
  const emergencyUntil = p.emergencyAccessUntil
    ? intl.formatDate(p.emergencyAccessUntil, { dateStyle: 'medium', timeStyle: 'short' })
    : null;

  return (
    <>
      <PageHeader
        title={t('person.title', { ref: p.ref })}
        back={{ to: '/persons', label: t('persons.back') }}
        meta={
          <>
            <span>{agencyLabel(p.ownerAgencyId)}</span>
            {emergencyUntil ? (
              <Badge tone="danger" testId="badge-emergency">
                {t('person.emergencyBadge', { until: emergencyUntil })}
              </Badge>
            ) : canInOwner(p.ownerAgencyId, 'person.read') ? null : (
              <Badge tone="info" testId="badge-shared">
                {t('person.shared')}
              </Badge>
            )}
            {p.presumedChild ? (
              <Badge tone="warning" testId="badge-child">
                {t('person.presumedChild')}
              </Badge>
            ) : null}
            {p.erased ? (
              <Badge tone="danger" testId="badge-erased">
                {t('person.erased')}
              </Badge>
            ) : null}
          </>
        }
      />
      <div className="stack person-page">
        {p.erased ? (
          <Alert kind="info" title={t('person.erasedTitle')} testId="erased-note">
            {p.erasedAt ? (
              <p data-testid="erased-on">
                {t('person.erasedOn', { date: intl.formatDate(p.erasedAt, { dateStyle: 'long' }) })}
              </p>
            ) : null}
            <p>{t('person.erasedBody')}</p>
          </Alert>
        ) : null}
        {emergencyUntil ? (
          <Alert kind="warning" title={t('person.emergencyTitle')} testId="emergency-note">
            <p>{t('person.emergencyBody', { until: emergencyUntil })}</p>
          </Alert>
        ) : null}
        <PersonLinks person={p} />
        {p.presumedChild ? (
          <Alert kind="info" title={t('person.childTitle')} testId="child-note">
            <p>{t('person.childBody')}</p>
          </Alert>
        ) : null}
        <div className={consentHere ? 'person-top' : 'person-top person-top-single'}>
          <FactsCard person={p} />
          {consentHere ? (
            <div className="stack">
              <ConsentPanel person={p} />
            </div>
          ) : null}
        </div>
        {erasureHere ? <PersonErasureCard person={p} /> : null}
        {readable.length ? (
          <section className="stack" aria-labelledby="protected-heading">
            <h2 id="protected-heading" className="section-heading">
              {t('reveal.sectionTitle')}
            </h2>
            {readable.map((cls) => (
              <ClassCard key={cls} person={p} cls={cls} />
            ))}
          </section>
        ) : null}
        {p.readable.includes('identity') ? <PersonFilesCard person={p} /> : null}
        {p.erased ? null : <PersonHistoryCard person={p} />}
        {canInOwner(p.ownerAgencyId, 'dsar.export') ? (
          <Card title={t('dsar.action')} description={t('dsar.lead')} testId="person-dsar">
            <AccessReportForm initialRef={p.ref} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
