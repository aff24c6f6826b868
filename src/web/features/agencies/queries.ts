import { useQuery } from '@tanstack/react-query';
import { endpoints } from '../../api/endpoints.js';

export const agenciesKey = ['agencies'] as const;

export function useAgencies(query: { q?: string; includeInactive?: boolean }, enabled = true) {
  return useQuery({
    queryKey: [...agenciesKey, 'list', query],
    queryFn: ({ signal }) => endpoints.agencies(query, signal),
    placeholderData: (previous) => previous,
    enabled,
  });
}

export function useAgency(id: string) {
  return useQuery({
    queryKey: [...agenciesKey, 'one', id],
    queryFn: ({ signal }) => endpoints.agency(id, signal),
  });
}
