import { ButtonLink } from '../components/Button.js';
import { PageHeader } from '../components/PageHeader.js';
import { EmptyState } from '../components/Status.js';
import { useT } from '../i18n/useT.js';

export function NotFoundPage() {
  const t = useT();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <div className="card">
        <div className="card-body">
          <EmptyState icon="search" title={t('notFound.body')}>
            <ButtonLink to="/" variant="primary" icon="home">
              {t('notFound.home')}
            </ButtonLink>
          </EmptyState>
        </div>
      </div>
    </>
  );
}
