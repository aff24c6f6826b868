import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { endpoints } from '../../api/endpoints.js';
import type { UserT } from '../../api/types.js';
import { useCan } from '../../app/session.js';
import { useLocalized } from '../../i18n/useT.js';
import { useAgencies } from '../agencies/queries.js';

export const usersKey = ['users'] as const;

export function useUsers(query: { q?: string; agencyId?: string }) {
  return useQuery({
    queryKey: [...usersKey, 'list', query],
    queryFn: ({ signal }) => endpoints.users(query, signal),
    placeholderData: (previous) => previous,
  });
}

export function useUser(id: string) {
  return useQuery({
    queryKey: [...usersKey, 'one', id],
    queryFn: ({ signal }) => endpoints.user(id, signal),
  });
}

export function useGrantableRoles(agencyId: string | undefined) {
  return useQuery({
    queryKey: ['grantable-roles', agencyId],
    queryFn: ({ signal }) => endpoints.grantableRoles(agencyId ?? '', signal),
    enabled: !!agencyId,
    staleTime: 60_000,
  });
}

/** Agencies the caller can see, for pickers and for naming an agency by id (active and inactive). */
export function useAgencyNames() {
  const can = useCan();
  const localized = useLocalized();
  const agencies = useAgencies({ includeInactive: true }, can('agency.read'));
  return useMemo(() => {
    const items = agencies.data?.items ?? [];
    const names = new Map(items.map((a) => [a.id, localized(a.name)]));
    const sorted = [...items].sort((a, b) => localized(a.name).localeCompare(localized(b.name)));
    return {
      agencies: sorted,
      isPending: agencies.isPending && can('agency.read'),
      nameOf: (id: string, code: string) => names.get(id) ?? code,
    };
  }, [agencies.data, agencies.isPending, localized, can]);
}

export type UserState = 'inactive' | 'locked' | 'awaitingSetup' | 'noMfa' | 'active';

export function userState(user: UserT, now = Date.now()): UserState {
  if (!user.active) return 'inactive';
  if (user.lockedUntil && Date.parse(user.lockedUntil) > now) return 'locked';
  if (!user.passwordSet) return 'awaitingSetup';
  if (!user.mfaEnrolled) return 'noMfa';
  return 'active';
}
