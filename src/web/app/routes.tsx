import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { SignInPage } from '../features/auth/SignInPage.js';
import { HomePage } from '../features/home/HomePage.js';
import { RequireAuth, RequirePermission } from './guards.js';
import { NotFoundPage } from './NotFoundPage.js';
import { Shell } from './Shell.js';

const SetupPage = lazy(() => import('../features/auth/SetupPage.js').then((m) => ({ default: m.SetupPage })));
const AgenciesPage = lazy(() =>
  import('../features/agencies/AgenciesPage.js').then((m) => ({ default: m.AgenciesPage })),
);
const AgencyPage = lazy(() =>
  import('../features/agencies/AgencyPage.js').then((m) => ({ default: m.AgencyPage })),
);
const UsersPage = lazy(() =>
  import('../features/users/UsersPage.js').then((m) => ({ default: m.UsersPage })),
);
const UserPage = lazy(() => import('../features/users/UserPage.js').then((m) => ({ default: m.UserPage })));
const AuditPage = lazy(() =>
  import('../features/audit/AuditPage.js').then((m) => ({ default: m.AuditPage })),
);
const PersonsPage = lazy(() =>
  import('../features/persons/PersonsPage.js').then((m) => ({ default: m.PersonsPage })),
);
const PersonCreatePage = lazy(() =>
  import('../features/persons/PersonCreatePage.js').then((m) => ({ default: m.PersonCreatePage })),
);
const PersonPage = lazy(() =>
  import('../features/persons/PersonPage.js').then((m) => ({ default: m.PersonPage })),
);
const DuplicateReviewPage = lazy(() =>
  import('../features/tasks/DuplicateReviewPage.js').then((m) => ({ default: m.DuplicateReviewPage })),
);
const AccessReportPage = lazy(() =>
  import('../features/persons/AccessReportPage.js').then((m) => ({ default: m.AccessReportPage })),
);
const AlertsPage = lazy(() =>
  import('../features/alerts/AlertsPage.js').then((m) => ({ default: m.AlertsPage })),
);
const BreakGlassPage = lazy(() =>
  import('../features/alerts/BreakGlassPage.js').then((m) => ({ default: m.BreakGlassPage })),
);
const AgencyTasksPage = lazy(() =>
  import('../features/tasks/AgencyTasksPage.js').then((m) => ({ default: m.AgencyTasksPage })),
);
const ErasureRequestsPage = lazy(() =>
  import('../features/erasure/ErasureRequestsPage.js').then((m) => ({ default: m.ErasureRequestsPage })),
);
const StatisticsPage = lazy(() =>
  import('../features/statistics/StatisticsPage.js').then((m) => ({ default: m.StatisticsPage })),
);
const ExportsPage = lazy(() =>
  import('../features/exports/ExportsPage.js').then((m) => ({ default: m.ExportsPage })),
);
const AccountPage = lazy(() =>
  import('../features/account/AccountPage.js').then((m) => ({ default: m.AccountPage })),
);

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route
        element={
          <RequireAuth>
            <Shell />
          </RequireAuth>
        }
      >
        <Route index element={<HomePage />} />
        <Route
          path="agencies"
          element={
            <RequirePermission permission="agency.read">
              <AgenciesPage />
            </RequirePermission>
          }
        />
        <Route
          path="agencies/:id"
          element={
            <RequirePermission permission="agency.read">
              <AgencyPage />
            </RequirePermission>
          }
        />
        <Route
          path="users"
          element={
            <RequirePermission permission="user.read">
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route
          path="users/:id"
          element={
            <RequirePermission permission="user.read">
              <UserPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission permission="audit.read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route
          path="persons"
          element={
            <RequirePermission permission="person.read">
              <PersonsPage />
            </RequirePermission>
          }
        />
        <Route
          path="persons/new"
          element={
            <RequirePermission permission="person.create">
              <PersonCreatePage />
            </RequirePermission>
          }
        />
        <Route
          path="persons/:id"
          element={
            <RequirePermission permission="person.read">
              <PersonPage />
            </RequirePermission>
          }
        />
        <Route
          path="duplicates"
          element={
            <RequirePermission permission="duplicate.review">
              <DuplicateReviewPage />
            </RequirePermission>
          }
        />
        <Route
          path="alerts"
          element={
            <RequirePermission permission="alert.read">
              <AlertsPage />
            </RequirePermission>
          }
        />
        <Route
          path="break-glass"
          element={
            <RequirePermission permission="alert.read">
              <BreakGlassPage />
            </RequirePermission>
          }
        />
        <Route
          path="my-tasks"
          element={
            <RequirePermission permission="consent.manage">
              <AgencyTasksPage />
            </RequirePermission>
          }
        />
        <Route
          path="erasure-requests"
          element={
            <RequirePermission permission="erasure.approve">
              <ErasureRequestsPage />
            </RequirePermission>
          }
        />
        <Route
          path="access-reports"
          element={
            <RequirePermission permission="dsar.export">
              <AccessReportPage />
            </RequirePermission>
          }
        />
        <Route
          path="exports"
          element={
            <RequirePermission permission="person.export">
              <ExportsPage />
            </RequirePermission>
          }
        />
        <Route
          path="statistics"
          element={
            <RequirePermission permission="statistics.read">
              <StatisticsPage />
            </RequirePermission>
          }
        />
        <Route path="account" element={<AccountPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
