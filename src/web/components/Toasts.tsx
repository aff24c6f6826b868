import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { useT } from '../i18n/useT.js';
import { Icon } from './Icon.js';

type ToastKind = 'success' | 'info' | 'error';
interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

interface ToastControls {
  notify: (message: string, kind?: ToastKind) => void;
  clear: () => void;
}

const ToastContext = createContext<ToastControls>({ notify: () => {}, clear: () => {} });

/** Short confirmations ("Saved"), read out by screen readers through a polite live region. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const t = useT();

  const dismiss = useCallback(
    (id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)),
    [],
  );

  const notify = useCallback(
    (message: string, kind: ToastKind = 'success') => {
      const id = next.current++;
      setToasts((list) => [...list.slice(-3), { id, kind, message }]);
      window.setTimeout(() => dismiss(id), kind === 'error' ? 10000 : 6000);
    },
    [dismiss],
  );

  const value = useMemo(() => ({ notify, clear: () => setToasts([]) }), [notify]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <section
        className="toasts"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={t('common.notifications')}
      >
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.kind}`} data-testid="toast">
            <Icon name={toast.kind === 'error' ? 'alert' : 'check'} />
            <span className="toast-message">{toast.message}</span>
            <button
              type="button"
              className="icon-button icon-button-sm"
              onClick={() => dismiss(toast.id)}
              aria-label={t('common.dismiss')}
            >
              <Icon name="x" size={16} />
            </button>
          </div>
        ))}
      </section>
    </ToastContext.Provider>
  );
}

export function useToast(): (message: string, kind?: ToastKind) => void {
  return useContext(ToastContext).notify;
}

/** Removes every toast (on sign-out: nothing of one session stays on screen for the next). */
export function useClearToasts(): () => void {
  return useContext(ToastContext).clear;
}
