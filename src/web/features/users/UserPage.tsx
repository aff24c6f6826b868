import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormattedDate } from 'react-intl';
import { useParams } from 'react-router';
import { isApiError } from '../../api/client.js';
import { endpoints } from '../../api/endpoints.js';
import { issueFor } from '../../api/issues.js';
import type { SetupIssuedT, UserT } from '../../api/types.js';
import { NotFoundPage } from '../../app/NotFoundPage.js';
import { useCan, useMe } from '../../app/session.js';
import { Badge, BadgeRow } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { Card, DetailList } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataTable } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorText, FormError } from '../../components/ErrorText.js';
import { TextField } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { LOCALE_NAMES } from '../../i18n/messages.js';
import { roleKey, useT } from '../../i18n/useT.js';
import { MembershipDialog } from './MembershipDialog.js';
import { useAgencyNames, usersKey, useUser } from './queries.js';
import { SetupTokenDialog } from './SetupTokenDialog.js';
import { UserStateBadge } from './UserStateBadge.js';

type Confirm =
  | 'deactivate'
  | 'reactivate'
  | 'reset'
  | 'revoke'
  | { remove: UserT['memberships'][number] }
  | null;

function RenameDialog({ user, open, onClose }: { user: UserT; open: boolean; onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useForm({ values: { displayName: user.displayName } });
  const save = useMutation({
    mutationFn: (displayName: string) => endpoints.patchUser(user.id, { displayName }, user.version),
    onSuccess: async (updated) => {
      queryClient.setQueryData([...usersKey, 'one', user.id], updated);
      await queryClient.invalidateQueries({ queryKey: usersKey });
      toast(t('common.savedToast'));
      onClose();
    },
  });
  return (
    <Dialog open={open} onClose={onClose} title={t('users.renameTitle')} size="sm">
      <form
        noValidate
        className="stack"
        onSubmit={form.handleSubmit((values) => save.mutate(values.displayName.trim()))}
      >
        <FormError error={save.error} fields={['displayName']} />
        <TextField
          label={t('users.displayName')}
          required
          maxLength={120}
          error={form.formState.errors.displayName?.message ?? issueFor(save.error, 'displayName')}
          {...form.register('displayName', {
            validate: (v) => v.trim().length > 0 || t('validation.required'),
          })}
        />
        <FormActions
          onCancel={onClose}
          busy={save.isPending}
          cancelDisabled={false}
          submitLabel={t('common.save')}
        />
      </form>
    </Dialog>
  );
}

export function UserPage() {
  const { id = '' } = useParams();
  const t = useT();
  const can = useCan();
  const me = useMe();
  const toast = useToast();
  const queryClient = useQueryClient();
  const user = useUser(id);
  const { nameOf } = useAgencyNames();
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [renaming, setRenaming] = useState(false);
  const [membership, setMembership] = useState<{ open: boolean; edit?: UserT['memberships'][number] }>({
    open: false,
  });
  const [issued, setIssued] = useState<SetupIssuedT | null>(null);

  const refresh = async (updated?: UserT) => {
    if (updated) queryClient.setQueryData([...usersKey, 'one', id], updated);
    await queryClient.invalidateQueries({ queryKey: usersKey });
  };

  const action = useMutation({
    mutationFn: async (kind: Exclude<Confirm, null>) => {
      if (kind === 'deactivate' || kind === 'reactivate') {
        const updated = await endpoints.patchUser(
          id,
          { active: kind === 'reactivate' },
          user.data?.version ?? 0,
        );
        await refresh(updated);
        return kind;
      }
      if (kind === 'reset') {
        const result = await endpoints.resetCredentials(id);
        await refresh();
        setIssued(result);
        return kind;
      }
      if (kind === 'revoke') {
        await endpoints.revokeSessions(id);
        return kind;
      }
      const updated = await endpoints.putMembership(
        id,
        { agencyId: kind.remove.agencyId, roles: [] },
        user.data?.version ?? 0,
      );
      await refresh(updated);
      return kind;
    },
    onSuccess: (kind) => {
      setConfirm(null);
      if (kind === 'deactivate') toast(t('users.deactivated'));
      else if (kind === 'reactivate') toast(t('users.reactivated'));
      else if (kind === 'revoke') toast(t('users.sessionsRevoked'));
      else if (typeof kind === 'object') toast(t('membership.removed'));
    },
  });

  if (user.isPending) return <Loading />;
  if (user.isError) {
    if (isApiError(user.error) && user.error.status === 404) return <NotFoundPage />;
    return <LoadError error={user.error} onRetry={() => void user.refetch()} />;
  }
  const u = user.data;
  const manage = can('user.manage');
  const self = u.id === me.id;

  const confirmText = (() => {
    if (confirm === 'deactivate')
      return {
        title: t('users.deactivateTitle'),
        body: t('users.deactivateBody', { name: u.displayName }),
        label: t('users.deactivate'),
        danger: true,
      };
    if (confirm === 'reactivate')
      return {
        title: t('users.reactivateTitle'),
        body: t('users.reactivateBody', { name: u.displayName }),
        label: t('users.reactivate'),
        danger: false,
      };
    if (confirm === 'reset')
      return {
        title: t('users.resetTitle'),
        body: t('users.resetBody', { name: u.displayName }),
        label: t('users.reset'),
        danger: true,
      };
    if (confirm === 'revoke')
      return {
        title: t('users.revokeTitle'),
        body: t('users.revokeBody', { name: u.displayName }),
        label: t('users.revoke'),
        danger: true,
      };
    if (confirm && typeof confirm === 'object')
      return {
        title: t('membership.removeTitle'),
        body: t('membership.removeBody', {
          name: u.displayName,
          agency: nameOf(confirm.remove.agencyId, confirm.remove.agencyCode),
        }),
        label: t('membership.remove'),
        danger: true,
      };
    return { title: '', body: '', label: '', danger: false };
  })();

  return (
    <>
      <PageHeader
        title={u.displayName}
        back={{ to: '/users', label: t('users.back') }}
        meta={
          <>
            <span className="mono">@{u.username}</span>
            <UserStateBadge user={u} />
          </>
        }
        actions={
          manage && !self ? (
            <>
              <Button icon="key" onClick={() => setConfirm('reset')} data-testid="user-reset">
                {t('users.reset')}
              </Button>
              <Button icon="logout" onClick={() => setConfirm('revoke')} data-testid="user-revoke">
                {t('users.revoke')}
              </Button>
              {u.active ? (
                <Button
                  variant="danger"
                  onClick={() => setConfirm('deactivate')}
                  data-testid="user-deactivate"
                >
                  {t('users.deactivate')}
                </Button>
              ) : (
                <Button
                  variant="primary"
                  onClick={() => setConfirm('reactivate')}
                  data-testid="user-reactivate"
                >
                  {t('users.reactivate')}
                </Button>
              )}
            </>
          ) : null
        }
      />
      <div className="grid grid-2">
        <Card
          title={t('users.profile')}
          actions={
            manage ? (
              <Button size="sm" icon="edit" onClick={() => setRenaming(true)} data-testid="user-rename">
                {t('common.edit')}
              </Button>
            ) : null
          }
        >
          <DetailList
            items={[
              { key: 'name', label: t('users.displayName'), value: u.displayName },
              {
                key: 'username',
                label: t('users.username'),
                value: <span className="mono">{u.username}</span>,
              },
              {
                key: 'locale',
                label: t('users.language'),
                value: <span lang={u.locale}>{LOCALE_NAMES[u.locale]}</span>,
              },
              { key: 'state', label: t('common.status'), value: <UserStateBadge user={u} /> },
            ]}
          />
        </Card>
        <Card title={t('users.signInTitle')}>
          <DetailList
            items={[
              {
                key: 'password',
                label: t('users.password'),
                value: u.passwordSet ? (
                  <Badge tone="success">{t('users.passwordSet')}</Badge>
                ) : (
                  <Badge tone="info">{t('users.passwordNotSet')}</Badge>
                ),
              },
              {
                key: 'mfa',
                label: t('users.mfa'),
                value: u.mfaEnrolled ? (
                  <Badge tone="success">{t('users.mfaEnrolled')}</Badge>
                ) : (
                  <Badge tone="warning">{t('users.mfaNotEnrolled')}</Badge>
                ),
              },
              {
                key: 'locked',
                label: t('users.lockedUntil'),
                value:
                  u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? (
                    <FormattedDate value={u.lockedUntil} dateStyle="medium" timeStyle="short" />
                  ) : (
                    <span className="muted">{t('users.notLocked')}</span>
                  ),
              },
            ]}
          />
        </Card>
      </div>
      <Card
        title={t('users.membershipsTitle')}
        description={t('users.membershipsLead')}
        actions={
          manage ? (
            <Button
              size="sm"
              icon="plus"
              onClick={() => setMembership({ open: true })}
              data-testid="membership-add"
            >
              {t('membership.add')}
            </Button>
          ) : null
        }
      >
        {u.memberships.length === 0 ? (
          <EmptyState icon="building" title={t('users.noMemberships')} />
        ) : (
          <DataTable
            caption={t('users.membershipsTitle')}
            columns={[t('users.agency'), t('users.roles')]}
            actions={manage}
            testId="membership-table"
          >
            {u.memberships.map((m) => (
              <tr key={m.id}>
                <th scope="row" className="cell-primary">
                  {nameOf(m.agencyId, m.agencyCode)}
                  <span className="cell-sub mono">{m.agencyCode}</span>
                </th>
                <td>
                  <BadgeRow items={m.roles} label={(role) => t(roleKey(role))} />
                </td>
                {manage ? (
                  <td className="cell-actions">
                    <Button
                      size="sm"
                      variant="ghost"
                      icon="edit"
                      onClick={() => setMembership({ open: true, edit: m })}
                    >
                      {t('membership.editRoles')}
                    </Button>
                    <Button size="sm" variant="ghost" icon="x" onClick={() => setConfirm({ remove: m })}>
                      {t('membership.remove')}
                    </Button>
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      {manage ? (
        <>
          <RenameDialog user={u} open={renaming} onClose={() => setRenaming(false)} />
          <MembershipDialog
            user={u}
            membership={membership.edit}
            open={membership.open}
            onClose={() => setMembership({ open: false })}
          />
          <ConfirmDialog
            open={confirm !== null}
            title={confirmText.title}
            body={confirmText.body}
            confirmLabel={confirmText.label}
            danger={confirmText.danger}
            busy={action.isPending}
            error={action.error ? <ErrorText error={action.error} /> : null}
            onConfirm={() => confirm && action.mutate(confirm)}
            onClose={() => {
              action.reset();
              setConfirm(null);
            }}
            testId="user-confirm"
          />
          <SetupTokenDialog issued={issued} userName={u.displayName} onClose={() => setIssued(null)} />
        </>
      ) : null}
    </>
  );
}
