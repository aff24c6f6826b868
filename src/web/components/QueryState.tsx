import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { LoadError, Loading } from './Status.js';

/**
 * What a query shows while it loads, when it fails (with a retry), when it found nothing, and the data once
 * it has it. Empty is judged by `isEmpty`, or for `{ items }` and arrays by their length.
 */
export function QueryState<T>({
  query,
  inline = false,
  empty,
  isEmpty,
  children,
}: {
  query: UseQueryResult<T>;
  inline?: boolean;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading inline={inline} />;
  if (query.isError) return <LoadError error={query.error} onRetry={() => void query.refetch()} />;
  if (empty !== undefined && (isEmpty ?? defaultIsEmpty)(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

function defaultIsEmpty(data: unknown): boolean {
  if (Array.isArray(data)) return data.length === 0;
  if (data && typeof data === 'object' && 'items' in data && Array.isArray(data.items))
    return data.items.length === 0;
  return false;
}
