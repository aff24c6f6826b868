import { useSyncExternalStore } from 'react';

/** Whether the server answered the last call. Drives the "temporarily unavailable" banner. */
export type ServiceState = 'ok' | 'unavailable';

let state: ServiceState = 'ok';
const listeners = new Set<() => void>();

export function setServiceState(next: ServiceState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useServiceState(): ServiceState {
  return useSyncExternalStore(subscribe, () => state);
}
