import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Permission } from '../../shared/domain/access.js';
import { DemoBanner, ServiceBanner } from '../components/Banners.js';
import { BrandMark } from '../components/Icon.js';
import { LoadError, Loading } from '../components/Status.js';
import { NotFoundPage } from './NotFoundPage.js';
import { useCan, useMeQuery, useMeta } from './session.js';

/** A full-page frame for the moments before the shell can show (loading, server unreachable). */
function Splash({ children }: { children: ReactNode }) {
  const meta = useMeta().data;
  return (
    <div className="splash">
      <DemoBanner demo={meta?.demo} />
      <ServiceBanner />
      <main id="main" className="splash-main">
        <BrandMark size={48} />
        {children}
      </main>
    </div>
  );
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMeQuery();
  const location = useLocation();
  if (me.isPending) {
    return (
      <Splash>
        <Loading />
      </Splash>
    );
  }
  if (me.isError) {
    return (
      <Splash>
        <LoadError error={me.error} onRetry={() => void me.refetch()} />
      </Splash>
    );
  }
  if (!me.data) {
    return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  }
  return <>{children}</>;
}

/** Pages the navigation does not offer without the permission answer as if they did not exist. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const can = useCan();
  return can(permission) ? children : <NotFoundPage />;
}
