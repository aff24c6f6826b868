import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useIntl } from 'react-intl';
import { ERASURE_STATUSES } from '../../../shared/contracts/erasure.js';
import { useMe } from '../../app/session.js';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card, DetailList } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DateTime, DateTimeCell, QueryTable } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorText, useErrorMessage } from '../../components/ErrorText.js';
import { ChoiceField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { QueryState } from '../../components/QueryState.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import { useAgencyLabel } from '../persons/queries.js';
import { type ErasureRequestT, type ErasureStatus, erasureApi, erasureKey } from './api.js';
import { STATUS_TONE } from './PersonErasureCard.js';
import { ReasonDialog } from './ReasonDialog.js';
import '../persons/persons.css';

function Approvals({ r }: { r: ErasureRequestT }) {
  const t = useT();
  const intl = useIntl();
  const when = (at: string | null) =>
    at ? intl.formatDate(at, { dateStyle: 'medium' }) : t('erasure.approvalMissing');
  return (
    <span className="cell-sub">
      {t('erasure.approvalDpo')}: {when(r.dpoApprovedAt)}
      <br />
      {t('erasure.approvalSecond')}: {when(r.secondApprovedAt)}
    </span>
  );
}

/**
 * One request with its reasons (fetched when opened: an audited read), and the decisions. Approving and
 * rejecting ask for a fresh second factor (the step-up dialog opens by itself on reauth_required).
 */
function RequestDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const t = useT();
  const intl = useIntl();
  const me = useMe();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const agencyLabel = useAgencyLabel();
  const [confirming, setConfirming] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const detail = useQuery({
    queryKey: [...erasureKey, 'one', id],
    queryFn: ({ signal }) => erasureApi.detail(id, signal),
    gcTime: 0,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const done = async (message: string) => {
    await queryClient.invalidateQueries({ queryKey: erasureKey });
    toast(message);
    onClose();
  };
  const approve = useMutation({
    mutationFn: () => erasureApi.approve(id),
    onSuccess: (r) =>
      done(r.status === 'approved' ? t('erasure.erasedToast') : t('erasure.approvalRecorded')),
  });
  const reject = useMutation({
    mutationFn: (reason: string) => erasureApi.reject(id, reason),
    onSuccess: () => done(t('erasure.rejectedToast')),
  });
  const r = detail.data;
  const mine =
    r !== undefined && (r.requestedBy === me.id || r.dpoApprovedBy === me.id || r.secondApprovedBy === me.id);
  const final = r !== undefined && (r.dpoApprovedBy !== null || r.secondApprovedBy !== null);
  return (
    <Dialog
      open
      title={r ? t('erasure.detailTitle', { ref: r.personRef }) : t('erasure.title')}
      onClose={onClose}
      testId="erasure-detail"
      footer={
        r && r.status === 'pending' && !mine ? (
          <>
            <Button variant="danger" onClick={() => setRejecting(true)} data-testid="erasure-reject">
              {t('erasure.reject')}
            </Button>
            <Button variant="primary" onClick={() => setConfirming(true)} data-testid="erasure-approve">
              {t('erasure.approve')}
            </Button>
          </>
        ) : null
      }
    >
      <QueryState query={detail}>
        {(r) => (
          <div className="stack">
            <DetailList
              items={[
                {
                  key: 'status',
                  label: t('erasure.statusLabel'),
                  value: <Badge tone={STATUS_TONE[r.status]}>{t(`erasure.status.${r.status}`)}</Badge>,
                },
                {
                  key: 'person',
                  label: t('erasure.person'),
                  value: <span className="mono">{r.personRef}</span>,
                },
                { key: 'agency', label: t('erasure.agency'), value: agencyLabel(r.ownerAgencyId) },
                {
                  key: 'by',
                  label: t('erasure.requestedBy'),
                  value: (
                    <>
                      {r.requestedByName ?? '—'}{' '}
                      <span className="muted">
                        <DateTime value={r.requestedAt} />
                      </span>
                    </>
                  ),
                },
                { key: 'approvals', label: t('erasure.approvals'), value: <Approvals r={r} /> },
                {
                  key: 'reason',
                  label: t('erasure.reason'),
                  value: r.reasonShredded ? (
                    <span className="muted">{t('erasure.reasonShredded')}</span>
                  ) : (
                    <span className="notes-text" data-testid="erasure-reason">
                      {r.reason}
                    </span>
                  ),
                },
                ...(r.rejectionReason
                  ? [{ key: 'rejection', label: t('erasure.rejectionReason'), value: r.rejectionReason }]
                  : []),
                ...(r.completedAt
                  ? [
                      {
                        key: 'done',
                        label: t('erasure.status.approved'),
                        value: t('erasure.completedOn', {
                          date: intl.formatDate(r.completedAt, { dateStyle: 'long' }),
                        }),
                      },
                    ]
                  : []),
              ]}
            />
            {approve.error ? <ErrorText error={approve.error} /> : null}
          </div>
        )}
      </QueryState>
      <ConfirmDialog
        open={confirming}
        title={t('erasure.approveTitle')}
        body={final ? t('erasure.approveFinalBody') : t('erasure.approveBody')}
        confirmLabel={t('erasure.approve')}
        danger={final}
        busy={approve.isPending}
        error={approve.error ? errorMessage(approve.error) : undefined}
        onConfirm={() => approve.mutate()}
        onClose={() => setConfirming(false)}
        testId="erasure-approve-confirm"
      />
      <ReasonDialog
        open={rejecting}
        title={t('erasure.rejectTitle')}
        label={t('erasure.rejectReason')}
        submitLabel={t('erasure.reject')}
        busy={reject.isPending}
        error={reject.error}
        onSubmit={(reason) => reject.mutate(reason)}
        onClose={() => setRejecting(false)}
        testId="erasure-reject-dialog"
      />
    </Dialog>
  );
}

/** The DPO's (and second approver's) screen: requests by status, pseudonymous references only. */
export function ErasureRequestsPage() {
  const t = useT();
  const agencyLabel = useAgencyLabel();
  const [status, setStatus] = useState<ErasureStatus>('pending');
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: [...erasureKey, 'list', status],
    queryFn: ({ signal }) => erasureApi.list(status, signal),
  });
  return (
    <>
      <PageHeader title={t('erasure.title')} description={t('erasure.lead')} />
      <Card testId="erasure-list">
        <div className="filter-form">
          <ChoiceField
            label={t('erasure.statusFilter')}
            value={status}
            onChange={(event) => setStatus(event.target.value as ErasureStatus)}
            data-testid="erasure-status"
            options={ERASURE_STATUSES}
            optionLabel={(s) => t(`erasure.status.${s}`)}
          />
        </div>
        <QueryTable
          query={list}
          empty={t('erasure.empty')}
          caption={t('erasure.title')}
          count={(count) => t('erasure.count', { count })}
          columns={[
            t('erasure.requestedAt'),
            t('erasure.person'),
            t('erasure.agency'),
            t('erasure.requestedBy'),
            t('erasure.approvals'),
          ]}
          actions
          testId="erasure-table"
          row={(r) => (
            <tr key={r.id} data-testid="erasure-row">
              <DateTimeCell value={r.requestedAt} />
              <td>
                <span className="mono nowrap">{r.personRef}</span>
              </td>
              <td>{agencyLabel(r.ownerAgencyId)}</td>
              <td>{r.requestedByName ?? <span className="muted">—</span>}</td>
              <td>
                <Approvals r={r} />
              </td>
              <td className="cell-actions">
                <Button size="sm" icon="eye" onClick={() => setOpen(r.id)} data-testid="erasure-open-row">
                  {t('erasure.open')}
                </Button>
              </td>
            </tr>
          )}
        />
      </Card>
      {open ? <RequestDialog id={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
