import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { FormattedDate, useIntl } from 'react-intl';
import type { PersonFileView } from '../../../shared/contracts/person-records.js';
import { FILE_KIND_CLASS, FILE_KINDS, type FileKind, MAX_FILE_BYTES } from '../../../shared/domain/files.js';
import { del, get } from '../../api/client.js';
import { Button } from '../../components/Button.js';
import { Card } from '../../components/Card.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorText } from '../../components/ErrorText.js';
import { SelectField } from '../../components/Field.js';
import { EmptyState, LoadError, Loading } from '../../components/Status.js';
import { useToast } from '../../components/Toasts.js';
import { useT } from '../../i18n/useT.js';
import type { PersonViewT } from './api.js';
import { download, uploadRaw } from './binary.js';
import { personsKey, SENSITIVE_MUTATION } from './queries.js';

const filesKey = (id: string) => [...personsKey, 'files', id] as const;
const base = (personId: string) => `/api/persons/${encodeURIComponent(personId)}/files`;
const MAX_MB = MAX_FILE_BYTES / (1024 * 1024);

function UploadDialog({ person, onClose }: { person: PersonViewT; onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const kinds = FILE_KINDS.filter((k) => person.writable.includes(FILE_KIND_CLASS[k]));
  const [kind, setKind] = useState<FileKind>(kinds[0] ?? 'photo');
  const [problem, setProblem] = useState<string | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (file: File) =>
      uploadRaw<PersonFileView>(`${base(person.id)}?kind=${encodeURIComponent(kind)}`, file),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: filesKey(person.id) });
      toast(t('files.uploaded'), 'success');
      onClose();
    },
  });
  const submit = () => {
    const file = input.current?.files?.[0];
    if (!file) return setProblem(t('files.chooseFile'));
    if (file.size > MAX_FILE_BYTES) return setProblem(t('files.tooLarge', { max: MAX_MB }));
    setProblem(undefined);
    upload.mutate(file);
  };
  return (
    <Dialog
      open
      title={t('files.addTitle')}
      onClose={onClose}
      testId="file-upload-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={upload.isPending}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={upload.isPending} onClick={submit} data-testid="file-upload-submit">
            {t('files.upload')}
          </Button>
        </>
      }
    >
      <div className="stack">
        <SelectField
          label={t('files.kind')}
          value={kind}
          onChange={(e) => setKind(e.target.value as FileKind)}
          data-testid="file-kind"
        >
          {kinds.map((k) => (
            <option key={k} value={k}>
              {t(`files.kind.${k}`)}
            </option>
          ))}
        </SelectField>
        <div className={problem ? 'field field-invalid' : 'field'}>
          <label htmlFor="person-file-input" className="field-label">
            {t('files.file')}
          </label>
          <input
            ref={input}
            id="person-file-input"
            type="file"
            className="input"
            accept="image/jpeg,image/png,application/pdf"
            aria-describedby="person-file-hint"
            aria-invalid={problem ? true : undefined}
            data-testid="file-input"
          />
          <div id="person-file-hint" className="field-hint">
            {t('files.fileHint', { max: MAX_MB })}
          </div>
          {problem ? <p className="field-error">{problem}</p> : null}
        </div>
        {upload.isError ? <ErrorText error={upload.error} /> : null}
      </div>
    </Dialog>
  );
}

/**
 * Photos and scanned documents of a person: listed for readers of their class (the server leaves out the
 * others), downloaded on demand (each download is audited), added and deleted by writers of the class.
 */
export function PersonFilesCard({ person }: { person: PersonViewT }) {
  const t = useT();
  const intl = useIntl();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<PersonFileView | null>(null);
  const files = useQuery({
    queryKey: filesKey(person.id),
    queryFn: ({ signal }) => get<PersonFileView[]>(base(person.id), undefined, signal),
    gcTime: 0,
  });
  const fetchFile = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (file: PersonFileView) => download(`${base(person.id)}/${encodeURIComponent(file.id)}`),
  });
  const remove = useMutation({
    ...SENSITIVE_MUTATION,
    mutationFn: (file: PersonFileView) => del<void>(`${base(person.id)}/${encodeURIComponent(file.id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: filesKey(person.id) });
      setDeleting(null);
      toast(t('files.deleted'), 'success');
    },
  });
  const canAdd = FILE_KINDS.some((k) => person.writable.includes(FILE_KIND_CLASS[k]));
  return (
    <Card
      title={t('files.title')}
      description={t('files.lead')}
      testId="person-files"
      actions={
        canAdd ? (
          <Button icon="plus" onClick={() => setAdding(true)} data-testid="file-add">
            {t('files.add')}
          </Button>
        ) : null
      }
    >
      {files.isPending ? (
        <Loading inline />
      ) : files.isError ? (
        <LoadError error={files.error} onRetry={() => void files.refetch()} />
      ) : files.data.length === 0 ? (
        <EmptyState icon="lock" title={t('files.empty')} />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="file-table">
            <caption className="visually-hidden">{t('files.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('files.kind')}</th>
                <th scope="col">{t('files.type')}</th>
                <th scope="col">{t('files.size')}</th>
                <th scope="col">{t('files.added')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {files.data.map((file) => (
                <tr key={file.id}>
                  <th scope="row" className="cell-primary">
                    {t(`files.kind.${file.kind}`)}
                  </th>
                  <td>{file.contentType.split('/')[1]?.toUpperCase()}</td>
                  <td>{t('files.sizeKb', { size: intl.formatNumber(Math.ceil(file.sizeBytes / 1024)) })}</td>
                  <td>
                    <FormattedDate value={file.uploadedAt} dateStyle="medium" timeStyle="short" />
                  </td>
                  <td className="cell-actions">
                    <Button
                      size="sm"
                      icon="eye"
                      busy={fetchFile.isPending && fetchFile.variables?.id === file.id}
                      onClick={() => fetchFile.mutate(file)}
                    >
                      {t('files.download')}
                    </Button>
                    {person.writable.includes(file.fieldClass) ? (
                      <Button size="sm" icon="x" onClick={() => setDeleting(file)}>
                        {t('files.delete')}
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {fetchFile.isError ? <ErrorText error={fetchFile.error} /> : null}
      {adding ? <UploadDialog person={person} onClose={() => setAdding(false)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={t('files.deleteTitle')}
        body={t('files.deleteBody')}
        confirmLabel={t('files.delete')}
        danger
        busy={remove.isPending}
        error={remove.isError ? <ErrorText error={remove.error} /> : undefined}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      />
    </Card>
  );
}
