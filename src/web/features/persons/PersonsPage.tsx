import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { FormattedDate, FormattedNumber } from 'react-intl';
import { Link, useSearchParams } from 'react-router';
import { SEX_CODES } from '../../../shared/contracts/persons.js';
import { useCan } from '../../app/session.js';
import { Badge } from '../../components/Badge.js';
import { Button, ButtonLink } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { FormError } from '../../components/ErrorText.js';
import { SelectField, TextField } from '../../components/Field.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { EmptyState } from '../../components/Status.js';
import { useT } from '../../i18n/useT.js';
import { type PersonMatchT, type PersonSummaryT, personsApi } from './api.js';
import { BreakGlassCard } from './BreakGlass.js';
import type { SexCode } from './forms.js';
import { PAGE_SIZE, SENSITIVE_MUTATION, useAgencyLabel, usePersons } from './queries.js';
import './persons.css';

export function SexLabel({ sex }: { sex: SexCode | null }) {
  const t = useT();
  return sex ? t(`sex.${sex}`) : <span className="muted">—</span>;
}

export function YearLabel({ year, estimated }: { year: number | null; estimated?: boolean }) {
  const t = useT();
  if (year === null) return <span className="muted">—</span>;
  // A year is not a quantity: no digit grouping ("1 995").
  return <>{estimated ? t('person.yearEstimated', { year: String(year) }) : String(year)}</>;
}

/**
 * A match score: the name similarity (0–1) plus small birth-year and sex bonuses. Shown as a level in
 * words, with the number for those who compare.
 */
export function Score({ score }: { score: number }) {
  const t = useT();
  const level = score >= 0.95 ? 'high' : score >= 0.75 ? 'medium' : 'low';
  return (
    <span className="score">
      <Badge tone={level === 'high' ? 'warning' : level === 'medium' ? 'info' : 'neutral'}>
        {t(`persons.score.${level}`)}
      </Badge>
      <span className="cell-sub">
        <FormattedNumber value={score} minimumFractionDigits={2} maximumFractionDigits={2} />
      </span>
    </span>
  );
}

/** Persons as a table of references and non-identifying facts (never names). */
export function PersonTable({
  persons,
  caption,
  testId,
}: {
  persons: (PersonSummaryT | PersonMatchT)[];
  caption: string;
  testId: string;
}) {
  const t = useT();
  const agencyLabel = useAgencyLabel();
  const withScore = persons.some((p) => 'score' in p);
  return (
    <DataTable
      caption={caption}
      columns={[
        t('person.ref'),
        withScore && t('persons.score'),
        t('person.sex'),
        t('person.birthYear'),
        t('person.agency'),
        t('person.registered'),
      ]}
      testId={testId}
    >
      {persons.map((p) => (
        <tr key={p.id} data-testid="person-row">
          <th scope="row" className="cell-primary">
            <Link to={`/persons/${p.id}`} className="mono" data-testid="person-link">
              {p.ref}
            </Link>
          </th>
          {withScore ? <td>{'score' in p ? <Score score={p.score} /> : null}</td> : null}
          <td>
            <SexLabel sex={p.sex} />
          </td>
          <td>
            <YearLabel year={p.birthYear} />
          </td>
          <td>{agencyLabel(p.ownerAgencyId)}</td>
          <td className="nowrap">
            <FormattedDate value={p.createdAt} dateStyle="medium" />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

interface SearchForm {
  name: string;
  birthYear: string;
  sex: '' | SexCode;
}
const EMPTY_SEARCH: SearchForm = { name: '', birthYear: '', sex: '' };

/**
 * Search by name, in the caller's scope. The text is posted (never put in the address or in storage) and
 * the results show references only.
 */
function PersonSearch() {
  const t = useT();
  const form = useForm<SearchForm>({ defaultValues: EMPTY_SEARCH });
  const search = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (values: SearchForm) => {
      const year = values.birthYear.trim();
      return personsApi.search({
        name: values.name.trim(),
        birthYear: year ? Number(year) : undefined,
        sex: values.sex || undefined,
      });
    },
  });
  const { errors } = form.formState;

  return (
    <Card title={t('persons.searchTitle')} description={t('persons.searchLead')} testId="person-search-card">
      <form
        noValidate
        autoComplete="off"
        className="search-form"
        onSubmit={form.handleSubmit((values) => search.mutate(values))}
      >
        <TextField
          label={t('persons.searchName')}
          autoComplete="off"
          spellCheck={false}
          maxLength={120}
          data-testid="person-search-name"
          error={errors.name?.message}
          {...form.register('name', {
            validate: (v) => v.trim().length > 0 || t('validation.required'),
          })}
        />
        <TextField
          label={t('person.birthYear')}
          inputMode="numeric"
          maxLength={4}
          autoComplete="off"
          data-testid="person-search-year"
          error={errors.birthYear?.message}
          {...form.register('birthYear', {
            validate: (v) => {
              if (!v.trim()) return true;
              const n = Number(v);
              return (/^\d{4}$/.test(v.trim()) && n >= 1900 && n <= 2100) || t('validation.invalid');
            },
          })}
        />
        <SelectField label={t('person.sex')} data-testid="person-search-sex" {...form.register('sex')}>
          <option value="">{t('persons.anySex')}</option>
          {SEX_CODES.map((code) => (
            <option key={code} value={code}>
              {t(`sex.${code}`)}
            </option>
          ))}
        </SelectField>
        <div className="search-actions">
          <Button
            type="submit"
            variant="primary"
            icon="search"
            busy={search.isPending}
            data-testid="person-search-submit"
          >
            {t('persons.searchSubmit')}
          </Button>
          <Button
            onClick={() => {
              form.reset(EMPTY_SEARCH);
              search.reset();
            }}
            data-testid="person-search-clear"
          >
            {t('persons.searchClear')}
          </Button>
        </div>
      </form>
      {search.isError ? <FormError error={search.error} fields={['name', 'birthYear', 'sex']} /> : null}
      {search.isSuccess ? (
        <div className="search-results" aria-live="polite">
          {search.data.length === 0 ? (
            <EmptyState icon="search" title={t('persons.noMatches')} />
          ) : (
            <>
              <p className="result-count">{t('persons.matchCount', { count: search.data.length })}</p>
              <PersonTable
                persons={search.data}
                caption={t('persons.matchesCaption')}
                testId="person-search-results"
              />
            </>
          )}
        </div>
      ) : null}
    </Card>
  );
}

export function PersonsPage() {
  const t = useT();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '1', 10) - 1 || 0);
  const persons = usePersons(page);
  const total = persons.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const goTo = (next: number) => {
    const p = new URLSearchParams(params);
    if (next > 0) p.set('page', String(next + 1));
    else p.delete('page');
    setParams(p);
  };

  return (
    <>
      <PageHeader
        title={t('persons.title')}
        description={t('persons.lead')}
        actions={
          can('person.create') ? (
            <ButtonLink to="/persons/new" variant="primary" icon="plus" data-testid="person-create">
              {t('persons.register')}
            </ButtonLink>
          ) : null
        }
      />
      <PersonSearch />
      {can('person.break_glass') ? <BreakGlassCard /> : null}
      <Card title={t('persons.listTitle')} description={t('persons.listLead')}>
        <QueryState query={persons} empty={<EmptyState icon="person" title={t('persons.empty')} />}>
          {(data) => (
            <>
              <p className="result-count">{t('persons.count', { count: total })}</p>
              <PersonTable persons={data.items} caption={t('persons.listTitle')} testId="person-table" />
            </>
          )}
        </QueryState>
        {total > PAGE_SIZE ? (
          <nav className="pager" aria-label={t('persons.paging')}>
            <Button
              icon="chevronLeft"
              disabled={page === 0}
              onClick={() => goTo(page - 1)}
              data-testid="persons-prev"
            >
              {t('persons.previous')}
            </Button>
            <span className="pager-info">{t('persons.pageOf', { page: page + 1, pages })}</span>
            <Button disabled={page + 1 >= pages} onClick={() => goTo(page + 1)} data-testid="persons-next">
              {t('persons.next')}
              <Icon name="chevronRight" />
            </Button>
          </nav>
        ) : null}
      </Card>
    </>
  );
}
