import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { EXPORT_FORMATS, EXPORT_STATUSES } from '../../../shared/contracts/exports.js';
import { ROLE_PERMISSIONS } from '../../../shared/domain/access.js';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../../shared/domain/consent.js';
import { type FieldClass, IDENTIFYING_CLASSES, readableClasses } from '../../../shared/domain/fields.js';
import { issueFor } from '../../api/issues.js';
import { useMe } from '../../app/session.js';
import { Alert } from '../../components/Alert.js';
import { Badge, type Tone } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DateTime, QueryTable } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorText, FormError, useErrorMessage } from '../../components/ErrorText.js';
import { CheckboxField, ChoiceField, FieldSet } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import { useAgencyLabel, useCanInAgency } from '../persons/queries.js';
import { type ExportFormat, type ExportStatus, type ExportT, exportsApi, exportsKey } from './api.js';
import '../persons/persons.css';

/** What the table shows: the server's status, or "lapsed" once the export's time is over. */
type Shown = ExportStatus | 'lapsed';

const STATUS_TONE: Record<Shown, Tone> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'neutral',
  lapsed: 'neutral',
};

function isLapsed(e: ExportT, now = Date.now()): boolean {
  return e.status !== 'rejected' && Date.parse(e.expiresAt) <= now;
}

const shownStatus = (e: ExportT): Shown => (isLapsed(e) ? 'lapsed' : e.status);

/** Agencies in which the user may export, with the protected classes their roles there may read. */
function useExportingMemberships(): { agencyId: string; agencyName: string; classes: FieldClass[] }[] {
  const me = useMe();
  return useMemo(
    () =>
      me.memberships
        .filter((m) => m.roles.some((r) => ROLE_PERMISSIONS[r]?.['person.export']))
        .map((m) => ({ agencyId: m.agencyId, agencyName: m.agencyName, classes: readableClasses(m.roles) })),
    [me],
  );
}

const FIELDS = ['agencyId', 'purpose', 'format', 'classes'] as const;

/**
 * Asking for an export: the agency (when there is a choice), the purpose, the format and the protected
 * classes the user's roles there may read. Identity or contact makes it an identifying export that a
 * colleague must approve; what the consents do not cover is left empty in the file.
 */
function NewExportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const memberships = useExportingMemberships();
  const chooseAgency = memberships.length > 1;
  const [agencyId, setAgencyId] = useState(memberships[0]?.agencyId ?? '');
  const [purpose, setPurpose] = useState<'' | ConsentPurpose>('');
  const [format, setFormat] = useState<ExportFormat>('xlsx');
  const [classes, setClasses] = useState<FieldClass[]>([]);
  const [missing, setMissing] = useState(false);
  const readable = memberships.find((m) => m.agencyId === agencyId)?.classes ?? [];
  const identifying = classes.some((c) => IDENTIFYING_CLASSES.includes(c));

  const request = useMutation({
    mutationFn: exportsApi.request,
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: exportsKey });
      toast(created.status === 'pending' ? t('exports.requestedToast') : t('exports.readyToast'), 'success');
      close();
    },
  });

  const close = () => {
    setPurpose('');
    setFormat('xlsx');
    setClasses([]);
    setMissing(false);
    request.reset();
    onClose();
  };

  return (
    <Dialog open={open} title={t('exports.newTitle')} onClose={close} size="lg" testId="export-dialog">
      <form
        noValidate
        autoComplete="off"
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (!purpose) {
            setMissing(true);
            return;
          }
          request.mutate({
            ...(chooseAgency ? { agencyId } : {}),
            purpose,
            format,
            classes: classes.filter((c) => readable.includes(c)),
          });
        }}
      >
        <FormError error={request.error} fields={FIELDS} />
        {chooseAgency ? (
          <ChoiceField
            label={t('exports.agency')}
            required
            value={agencyId}
            onChange={(event) => setAgencyId(event.target.value)}
            error={issueFor(request.error, 'agencyId')}
            data-testid="export-agency"
            options={memberships}
            optionValue={(m) => m.agencyId}
            optionLabel={(m) => m.agencyName}
          />
        ) : null}
        <div className="form-grid">
          <ChoiceField
            label={t('exports.purpose')}
            hint={t('exports.purposeHint')}
            required
            value={purpose}
            onChange={(event) => {
              setPurpose(event.target.value as '' | ConsentPurpose);
              if (missing) setMissing(false);
            }}
            error={missing ? t('exports.purposeRequired') : issueFor(request.error, 'purpose')}
            data-testid="export-purpose"
            placeholder={t('persons.choose')}
            options={CONSENT_PURPOSES}
            optionLabel={(p) => t(`purpose.${p}`)}
          />
          <ChoiceField
            label={t('exports.format')}
            required
            value={format}
            onChange={(event) => setFormat(event.target.value as ExportFormat)}
            error={issueFor(request.error, 'format')}
            data-testid="export-format"
            options={EXPORT_FORMATS}
            optionLabel={(f) => t(`exports.format.${f}`)}
          />
        </div>
        <FieldSet
          legend={t('exports.classes')}
          hint={t('exports.classesHint')}
          error={issueFor(request.error, 'classes')}
        >
          {readable.length ? (
            <div className="checkbox-grid">
              {readable.map((cls) => (
                <CheckboxField
                  key={cls}
                  label={t(`class.${cls}`)}
                  hint={t(`classDesc.${cls}`)}
                  checked={classes.includes(cls)}
                  data-testid={`export-class-${cls}`}
                  onChange={(event) =>
                    setClasses(
                      event.target.checked
                        ? readable.filter((c) => c === cls || classes.includes(c))
                        : classes.filter((c) => c !== cls),
                    )
                  }
                />
              ))}
            </div>
          ) : (
            <p className="muted">{t('exports.noClasses')}</p>
          )}
        </FieldSet>
        <Alert kind={identifying ? 'warning' : 'info'} testId="export-note">
          <ul className="plain-bullets">
            <li data-testid={identifying ? 'export-note-identifying' : undefined}>
              {identifying ? t('exports.noteIdentifying') : t('exports.noteIdentifyingHint')}
            </li>
            <li>{t('exports.noteConsent')}</li>
            <li>{t('exports.noteDownload')}</li>
          </ul>
        </Alert>
        <FormActions
          onCancel={close}
          busy={request.isPending}
          submitLabel={identifying ? t('exports.submitApproval') : t('exports.submit')}
          testId="export-submit"
        />
      </form>
    </Dialog>
  );
}

function StatusCell({ e }: { e: ExportT }) {
  const t = useT();
  const intl = useIntl();
  const shown = shownStatus(e);
  const until = intl.formatDate(e.expiresAt, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <td>
      <Badge tone={STATUS_TONE[shown]} testId="export-status">
        {t(`exports.status.${shown}`)}
      </Badge>
      {shown === 'approved' ? (
        <span className="cell-sub">{t('exports.downloadUntil', { date: until })}</span>
      ) : shown === 'pending' ? (
        <span className="cell-sub">{t('exports.lapsesOn', { date: until })}</span>
      ) : null}
    </td>
  );
}

function DecidedCell({ e }: { e: ExportT }) {
  const t = useT();
  if (!e.identifying) return <td className="muted">{t('exports.noApprovalNeeded')}</td>;
  if (!e.decidedAt) return <td className="muted">—</td>;
  return (
    <td>
      {e.decidedByName ?? '—'}
      <span className="cell-sub">
        <DateTime value={e.decidedAt} />
      </span>
    </td>
  );
}

/**
 * The agency's exports: holders of person.export ask for one and download their own once approved (the
 * file is handed to the browser, never kept); holders of export.approve decide their colleagues'
 * identifying exports, with a fresh confirmation of who they are (the step-up dialog opens by itself).
 */
export function ExportsPage() {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const canIn = useCanInAgency();
  const agencyLabel = useAgencyLabel();
  const [status, setStatus] = useState<'' | ExportStatus>('');
  const [creating, setCreating] = useState(false);
  const [deciding, setDeciding] = useState<{ e: ExportT; decision: 'approve' | 'reject' } | null>(null);
  const list = useQuery({
    queryKey: [...exportsKey, 'list', status],
    queryFn: ({ signal }) => exportsApi.list(status || undefined, signal),
  });
  const fetchFile = useMutation({
    gcTime: 0,
    mutationFn: (e: ExportT) => exportsApi.download(e.id),
    onSuccess: async () => {
      toast(t('exports.downloaded'), 'success');
      await queryClient.invalidateQueries({ queryKey: exportsKey });
    },
  });
  const decide = useMutation({
    mutationFn: (d: { e: ExportT; decision: 'approve' | 'reject' }) =>
      d.decision === 'approve' ? exportsApi.approve(d.e.id) : exportsApi.reject(d.e.id),
    onSuccess: async (_, d) => {
      await queryClient.invalidateQueries({ queryKey: exportsKey });
      toast(d.decision === 'approve' ? t('exports.approvedToast') : t('exports.rejectedToast'), 'success');
      setDeciding(null);
    },
  });
  // the agency is named only when the list spans more than one
  const manyAgencies = new Set(list.data?.items.map((e) => e.agencyId)).size > 1;
  const describe = (e: ExportT) => ({
    name: e.requestedByName ?? '—',
    purpose: t(`purpose.${e.purpose}`),
    classes: e.classes.map((c) => t(`class.${c}`)).join(', '),
  });

  return (
    <>
      <PageHeader
        title={t('exports.title')}
        description={t('exports.lead')}
        actions={
          <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="export-new">
            {t('exports.new')}
          </Button>
        }
      />
      <Card testId="exports-list">
        <div className="filter-form">
          <ChoiceField
            label={t('exports.statusFilter')}
            value={status}
            onChange={(event) => setStatus(event.target.value as '' | ExportStatus)}
            data-testid="export-status-filter"
            placeholder={t('exports.statusAll')}
            options={EXPORT_STATUSES}
            optionLabel={(s) => t(`exports.status.${s}`)}
          />
        </div>
        <QueryTable
          query={list}
          empty={t('exports.empty')}
          caption={t('exports.caption')}
          count={(count) => t('exports.count', { count })}
          columns={[
            t('exports.requestedAt'),
            manyAgencies && t('exports.agency'),
            t('exports.purpose'),
            t('exports.classesColumn'),
            t('exports.format'),
            t('common.status'),
            t('exports.decidedBy'),
          ]}
          actions
          testId="export-table"
          row={(e) => {
            const shown = shownStatus(e);
            const canDecide = !e.mine && shown === 'pending' && canIn(e.agencyId, 'export.approve');
            return (
              <tr key={e.id} data-testid="export-row" data-export-id={e.id} data-status={shown}>
                <td>
                  <span className="nowrap">
                    <DateTime value={e.requestedAt} />
                  </span>
                  <span className="cell-sub" data-testid="export-requester">
                    {e.requestedByName ?? '—'}
                    {e.mine ? ` (${t('exports.you')})` : null}
                  </span>
                </td>
                {manyAgencies ? <td>{agencyLabel(e.agencyId)}</td> : null}
                <td>{t(`purpose.${e.purpose}`)}</td>
                <td>
                  {e.classes.length ? (
                    e.classes.map((c) => t(`class.${c}`)).join(', ')
                  ) : (
                    <span className="muted">{t('exports.statisticalOnly')}</span>
                  )}
                </td>
                <td>
                  <span className="mono">{e.format.toUpperCase()}</span>
                </td>
                <StatusCell e={e} />
                <DecidedCell e={e} />
                <td className="cell-actions">
                  {e.mine && shown === 'approved' ? (
                    <Button
                      size="sm"
                      variant="primary"
                      busy={fetchFile.isPending && fetchFile.variables?.id === e.id}
                      onClick={() => fetchFile.mutate(e)}
                      data-testid="export-download"
                    >
                      {t('exports.download')}
                    </Button>
                  ) : null}
                  {canDecide ? (
                    <div className="inline-actions row-actions">
                      <Button
                        size="sm"
                        variant="danger"
                        onClick={() => setDeciding({ e, decision: 'reject' })}
                        data-testid="export-reject"
                      >
                        {t('exports.reject')}
                      </Button>
                      <Button
                        size="sm"
                        variant="primary"
                        onClick={() => setDeciding({ e, decision: 'approve' })}
                        data-testid="export-approve"
                      >
                        {t('exports.approve')}
                      </Button>
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          }}
        />
        {fetchFile.isError ? <ErrorText error={fetchFile.error} /> : null}
      </Card>
      <NewExportDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={deciding !== null}
        title={deciding?.decision === 'reject' ? t('exports.rejectTitle') : t('exports.approveTitle')}
        body={
          deciding
            ? t(
                deciding.decision === 'reject' ? 'exports.rejectBody' : 'exports.approveBody',
                describe(deciding.e),
              )
            : ''
        }
        confirmLabel={deciding?.decision === 'reject' ? t('exports.reject') : t('exports.approve')}
        danger={deciding?.decision === 'reject'}
        busy={decide.isPending}
        error={decide.error ? errorMessage(decide.error) : undefined}
        onConfirm={() => deciding && decide.mutate(deciding)}
        onClose={() => {
          decide.reset();
          setDeciding(null);
        }}
        testId="export-decide-confirm"
      />
    </>
  );
}
