import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import type { Permission } from '../../shared/domain/access.js';
import { configureClient, isApiError } from '../api/client.js';
import { endpoints } from '../api/endpoints.js';
import type { MeT } from '../api/types.js';
import { useClearToasts } from '../components/Toasts.js';
import { useLocale } from '../i18n/LocaleProvider.js';
import { storeLocale } from '../i18n/storage.js';

export const meKey = ['me'] as const;
export const metaKey = ['meta'] as const;

export function useMeta() {
  return useQuery({
    queryKey: metaKey,
    queryFn: ({ signal }) => endpoints.meta(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The signed-in user, or null when there is no session. */
export function useMeQuery() {
  return useQuery<MeT | null>({
    queryKey: meKey,
    queryFn: async ({ signal }) => {
      try {
        return await endpoints.me(signal);
      } catch (error) {
        if (isApiError(error) && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Inside the signed-in shell the user is always known. */
export function useMe(): MeT {
  const { data } = useMeQuery();
  if (!data) throw new Error('useMe outside a signed-in page');
  return data;
}

export function useCan(): (permission: Permission) => boolean {
  const me = useMeQuery().data;
  return useCallback((permission: Permission) => !!me?.permissions.includes(permission), [me]);
}

/** Why the sign-in page is showing, when it is not the first visit. */
export type SignInNotice =
  | 'session_ended'
  | 'signed_out'
  | 'signed_out_everywhere'
  | 'password_set'
  | 'password_changed';

interface SessionContextValue {
  notice: SignInNotice | null;
  clearNotice: () => void;
  /** Ends the session on the server (unless it is already gone) and returns to the sign-in page. */
  signOut: (notice?: SignInNotice, alreadyEnded?: boolean) => Promise<void>;
  /** After the last sign-in step: loads the user and opens the page they were going to. */
  completeSignIn: (to?: string) => Promise<void>;
  showNotice: (notice: SignInNotice) => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { locale, setLocale } = useLocale();
  const [notice, setNotice] = useState<SignInNotice | null>(null);
  const clearToasts = useClearToasts();

  const leave = useCallback(
    (next: SignInNotice) => {
      queryClient.setQueryData(meKey, null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'meta' });
      // The server's Clear-Site-Data may have wiped storage: keep the language choice.
      storeLocale(locale);
      clearToasts();
      setNotice(next);
      navigate('/signin', { replace: true });
    },
    [queryClient, navigate, locale, clearToasts],
  );

  useEffect(() => {
    configureClient({
      onSessionEnded: () => {
        if (queryClient.getQueryData(meKey)) leave('session_ended');
      },
    });
  }, [queryClient, leave]);

  const signOut = useCallback(
    async (next: SignInNotice = 'signed_out', alreadyEnded = false) => {
      if (!alreadyEnded) {
        try {
          await endpoints.logout();
        } catch {
          // Whatever the server says, this browser forgets the session.
        }
      }
      leave(next);
    },
    [leave],
  );

  const completeSignIn = useCallback(
    async (to = '/') => {
      const me = await endpoints.me();
      await setLocale(me.locale);
      queryClient.setQueryData(meKey, me);
      setNotice(null);
      navigate(to, { replace: true });
    },
    [queryClient, navigate, setLocale],
  );

  const value = useMemo(
    () => ({ notice, clearNotice: () => setNotice(null), signOut, completeSignIn, showNotice: setNotice }),
    [notice, signOut, completeSignIn],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
