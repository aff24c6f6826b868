import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { get } from '../../api/client.js';
import { Alert } from '../../components/Alert.js';
import { useT } from '../../i18n/useT.js';
import type { PersonSummaryT, PersonViewT } from './api.js';

/**
 * What the national coordinator decided about duplicates, as this user may see it: a merged record points
 * to the record it was merged into; a linked record lists the other records of the same person that this
 * user may open.
 */
export function PersonLinks({ person }: { person: PersonViewT }) {
  const t = useT();
  const links = useQuery({
    queryKey: ['persons', person.id, 'links'],
    queryFn: ({ signal }) =>
      get<PersonSummaryT[]>(`/api/persons/${encodeURIComponent(person.id)}/links`, undefined, signal),
    enabled: !person.mergedInto,
  });
  if (person.mergedInto)
    return (
      <Alert kind="info" title={t('personLinks.mergedTitle')} testId="merged-note">
        <p>{t('personLinks.mergedBody')}</p>
        <p>
          <Link to={`/persons/${encodeURIComponent(person.mergedInto)}`} data-testid="merged-into">
            {t('personLinks.open')}
          </Link>
        </p>
      </Alert>
    );
  if (!links.data?.length) return null;
  return (
    <Alert kind="info" title={t('personLinks.linkedTitle')} testId="linked-note">
      <ul>
        {links.data.map((other) => (
          <li key={other.id}>
            <Link to={`/persons/${encodeURIComponent(other.id)}`} className="mono">
              {other.ref}
            </Link>
          </li>
        ))}
      </ul>
    </Alert>
  );
}
