import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect, useId, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import type { Locale } from '../../shared/domain/locales.js';
import { endpoints } from '../api/endpoints.js';
import { DemoBanner, ServiceBanner } from '../components/Banners.js';
import { useErrorMessage } from '../components/ErrorText.js';
import { BrandMark, Icon, type IconName } from '../components/Icon.js';
import { LocaleSwitcher } from '../components/LocaleSwitcher.js';
import { Loading } from '../components/Status.js';
import { useToast } from '../components/Toasts.js';
import { useLocale } from '../i18n/LocaleProvider.js';
import type { MessageKey } from '../i18n/messages.js';
import { useT } from '../i18n/useT.js';
import { IdleWatcher } from './IdleWatcher.js';
import { meKey, useCan, useMe, useMeta, useSession } from './session.js';

export function SkipLink() {
  const t = useT();
  return (
    <a href="#main" className="skip-link">
      {t('common.skipToContent')}
    </a>
  );
}

interface NavItem {
  to: string;
  label: MessageKey;
  icon: IconName;
  testId: string;
  end?: boolean;
}

function MainNav() {
  const t = useT();
  const can = useCan();
  const items: NavItem[] = [{ to: '/', label: 'nav.home', icon: 'home', testId: 'nav-home', end: true }];
  if (can('person.read'))
    items.push({ to: '/persons', label: 'nav.persons', icon: 'person', testId: 'nav-persons' });
  if (can('duplicate.review'))
    items.push({ to: '/duplicates', label: 'nav.duplicates', icon: 'merge', testId: 'nav-duplicates' });
  if (can('consent.manage'))
    items.push({ to: '/my-tasks', label: 'nav.myTasks', icon: 'check', testId: 'nav-my-tasks' });
  if (can('person.export'))
    items.push({ to: '/exports', label: 'nav.exports', icon: 'consent', testId: 'nav-exports' });
  if (can('statistics.read'))
    items.push({ to: '/statistics', label: 'nav.statistics', icon: 'chart', testId: 'nav-statistics' });
  if (can('alert.read'))
    items.push({ to: '/alerts', label: 'nav.alerts', icon: 'bell', testId: 'nav-alerts' });
  if (can('alert.read'))
    items.push({ to: '/break-glass', label: 'nav.breakGlass', icon: 'lock', testId: 'nav-break-glass' });
  if (can('erasure.approve'))
    items.push({ to: '/erasure-requests', label: 'nav.erasure', icon: 'lock', testId: 'nav-erasure' });
  if (can('dsar.export'))
    items.push({
      to: '/access-reports',
      label: 'nav.accessReport',
      icon: 'lock',
      testId: 'nav-access-reports',
    });
  if (can('agency.read'))
    items.push({ to: '/agencies', label: 'nav.agencies', icon: 'building', testId: 'nav-agencies' });
  if (can('user.read')) items.push({ to: '/users', label: 'nav.users', icon: 'users', testId: 'nav-users' });
  if (can('audit.read')) items.push({ to: '/audit', label: 'nav.audit', icon: 'audit', testId: 'nav-audit' });
  items.push({ to: '/account', label: 'nav.account', icon: 'user', testId: 'nav-account' });
  return (
    <nav className="sidenav" aria-label={t('nav.label')}>
      <ul className="sidenav-list">
        {items.map((item) => (
          <li key={item.to}>
            <NavLink
              to={item.to}
              end={item.end ?? false}
              className={({ isActive }) => (isActive ? 'sidenav-link active' : 'sidenav-link')}
              data-testid={item.testId}
            >
              <Icon name={item.icon} size={20} />
              <span>{t(item.label)}</span>
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0]];
  return letters
    .map((p) => (p ? Array.from(p)[0] : ''))
    .join('')
    .toLocaleUpperCase();
}

function UserMenu() {
  const me = useMe();
  const t = useT();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const menuId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const location = useLocation();

  // biome-ignore lint/correctness/useExhaustiveDependencies: close the menu whenever the page changes
  useEffect(() => setOpen(false), [location.pathname]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (wrapper.current && !wrapper.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="user-menu" ref={wrapper}>
      <button
        ref={button}
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        data-testid="user-menu"
        onClick={() => setOpen((v) => !v)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(me.displayName || me.username)}
        </span>
        <span className="user-menu-name">{me.displayName || me.username}</span>
        <Icon name="chevronDown" size={16} />
      </button>
      <div id={menuId} className="user-menu-panel" hidden={!open}>
        <div className="user-menu-who">
          <span className="user-menu-display">{me.displayName}</span>
          <span className="user-menu-username">@{me.username}</span>
        </div>
        <ul className="user-menu-list">
          <li>
            <Link to="/account" className="user-menu-item" data-testid="menu-account">
              <Icon name="user" />
              {t('nav.account')}
            </Link>
          </li>
          <li>
            <button
              type="button"
              className="user-menu-item"
              data-testid="signout"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                await signOut('signed_out');
              }}
            >
              <Icon name="logout" />
              {t('common.signOut')}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}

/** The signed-in frame: header, navigation, main content, footer, idle warning. */
export function Shell() {
  const t = useT();
  const me = useMe();
  const meta = useMeta().data;
  const queryClient = useQueryClient();
  const { locale, setLocale, intlReady } = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();

  // The account's language wins once signed in.
  useEffect(() => {
    if (me.locale !== locale) void setLocale(me.locale);
  }, [me.locale, locale, setLocale]);

  const changeLocale = async (next: Locale) => {
    try {
      const updated = await endpoints.patchMe({ locale: next });
      queryClient.setQueryData(meKey, updated);
      await setLocale(next);
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  return (
    <div className="app-frame">
      <SkipLink />
      <DemoBanner demo={me.demo || meta?.demo} />
      <ServiceBanner />
      <header className="topbar">
        <Link to="/" className="brand" aria-label={t('app.homeLink')}>
          <BrandMark size={34} />
          <span className="brand-text">
            <span className="brand-name">Halas</span>
            <span className="brand-tagline">{t('app.tagline')}</span>
          </span>
        </Link>
        <div className="topbar-tools">
          <LocaleSwitcher onChange={changeLocale} tone="dark" />
          <UserMenu />
        </div>
      </header>
      <div className="layout">
        <MainNav />
        <main id="main" className="main" tabIndex={-1}>
          {/* The page's code and data load while Intl data is still on its way; it shows once dates format right. */}
          {intlReady ? null : <Loading />}
          <div hidden={!intlReady} className="contents">
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </div>
        </main>
      </div>
      <footer className="footer">
        <span>{t('app.footer')}</span>
        {meta?.version ? <span className="footer-version">Halas {meta.version}</span> : null}
      </footer>
      <IdleWatcher idleTimeoutSeconds={me.idleTimeoutSeconds} />
    </div>
  );
}
