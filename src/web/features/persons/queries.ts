import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo } from 'react';
import { type Permission, ROLE_PERMISSIONS, type Role } from '../../../shared/domain/access.js';
import type { FieldClass } from '../../../shared/domain/fields.js';
import { endpoints } from '../../api/endpoints.js';
import type { AgencyDirectoryEntryT } from '../../api/types.js';
import { useCan, useMe } from '../../app/session.js';
import { useLocalized, useT } from '../../i18n/useT.js';
import { personsApi, type RevealedT } from './api.js';

export const personsKey = ['persons'] as const;
/**
 * Revealed fields live under their own root key: nothing that refreshes `persons` can re-read them
 * (each read is an audited disclosure), and they are dropped as soon as nobody shows them.
 */
export const revealedKey = (id: string, cls?: FieldClass) =>
  cls ? (['person-fields', id, cls] as const) : (['person-fields', id] as const);

export const PAGE_SIZE = 25;

export function usePersons(page: number) {
  const query = { limit: PAGE_SIZE, offset: page * PAGE_SIZE };
  return useQuery({
    queryKey: [...personsKey, 'list', query],
    queryFn: ({ signal }) => personsApi.list(query, signal),
    placeholderData: (previous) => previous,
  });
}

export function usePerson(id: string) {
  return useQuery({
    queryKey: [...personsKey, 'one', id],
    queryFn: ({ signal }) => personsApi.one(id, signal),
  });
}

/**
 * The fields of one class, read only after the user asked to see them. Never kept once no component
 * shows them (gcTime 0), never refetched behind the user's back (each read is audited).
 */
export function useRevealed(id: string, cls: FieldClass, shown: boolean) {
  return useQuery({
    queryKey: revealedKey(id, cls),
    queryFn: async ({ signal }) => {
      const fields: RevealedT = await personsApi.reveal(id, [cls], signal);
      // A class with nothing recorded yet comes back absent: keep `null`, not undefined (a cached value).
      return { value: fields[cls] ?? null };
    },
    enabled: shown,
    gcTime: 0,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    refetchOnMount: false,
    refetchOnReconnect: false,
    refetchOnWindowFocus: false,
  });
}

/** Drops every revealed field of a person from memory when the page that showed them goes away. */
export function useForgetRevealedOnLeave(id: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    return () => {
      queryClient.removeQueries({ queryKey: revealedKey(id) });
    };
  }, [queryClient, id]);
}

/** Mutations that carry personal data are forgotten as soon as their component is gone. */
export const SENSITIVE_MUTATION = { gcTime: 0 } as const;

/** An agency's name by id; an agency outside the caller's view is "another agency", never an id. */
/**
 * Every agency of the mechanism (id, code, type, name), whatever the user's own scope: a consent or an
 * override can name any recipient. Sorted by name in the user's language.
 */
export function useAgencyDirectory(): { agencies: AgencyDirectoryEntryT[]; isPending: boolean } {
  const directory = useQuery({
    queryKey: ['agency-directory'],
    queryFn: ({ signal }) => endpoints.agencyDirectory(signal),
    staleTime: 5 * 60_000,
  });
  return { agencies: directory.data ?? [], isPending: directory.isPending };
}

export function useAgencyLabel(): (id: string | null | undefined) => string {
  const t = useT();
  const localized = useLocalized();
  const { agencies, isPending } = useAgencyDirectory();
  const names = useMemo(() => new Map(agencies.map((a) => [a.id, localized(a.name)])), [agencies, localized]);
  return useCallback(
    (id) => {
      if (!id) return '—';
      return names.get(id) ?? (isPending ? '…' : t('persons.otherAgency'));
    },
    [names, isPending, t],
  );
}

/**
 * Whether the user holds a permission through a membership in one agency (the owner of a record): a
 * record shared with the user's agency by consent can be read there, but not managed.
 */
export function useCanInAgency(): (agencyId: string, permission: Permission) => boolean {
  const me = useMe();
  return useCallback(
    (agencyId: string, permission: Permission) =>
      me.memberships.some((m) =>
        m.roles.some((r) => {
          const scope = ROLE_PERMISSIONS[r]?.[permission];
          return scope === 'all' || (scope === 'agency' && m.agencyId === agencyId);
        }),
      ),
    [me],
  );
}

export function useCanIn(agencyId: string): (permission: Permission) => boolean {
  const canIn = useCanInAgency();
  return useCallback((permission: Permission) => canIn(agencyId, permission), [canIn, agencyId]);
}

/** Agencies in which the user may register persons, with the roles held there. */
export function useRegisteringMemberships(): { agencyId: string; agencyName: string; roles: Role[] }[] {
  const me = useMe();
  const can = useCan();
  return useMemo(() => {
    if (!can('person.create')) return [];
    return me.memberships
      .filter((m) => m.roles.some((r) => ROLE_PERMISSIONS[r]?.['person.create']))
      .map((m) => ({ agencyId: m.agencyId, agencyName: m.agencyName, roles: m.roles }));
  }, [me, can]);
}
