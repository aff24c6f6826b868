import { useServiceState } from '../api/status.js';
import { useT } from '../i18n/useT.js';
import { Icon } from './Icon.js';

/** Permanent on every page when the instance runs on demo data. */
export function DemoBanner({ demo }: { demo: boolean | undefined }) {
  const t = useT();
  if (!demo) return null;
  return (
    <div className="demo-banner" data-testid="demo-banner" role="note">
      <Icon name="alert" size={18} />
      <strong>{t('banner.demoTitle')}</strong>
      <span>{t('banner.demoText')}</span>
    </div>
  );
}

/** Shown while the server does not answer (503 or no connection); disappears on the next good answer. */
export function ServiceBanner() {
  const state = useServiceState();
  const t = useT();
  return (
    <div className="service-banner-region" role="status" aria-live="polite">
      {state === 'unavailable' ? (
        <div className="service-banner" data-testid="service-banner">
          <Icon name="alert" size={18} />
          <span>{t('banner.unavailable')}</span>
        </div>
      ) : null}
    </div>
  );
}
