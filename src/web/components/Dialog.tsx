import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useT } from '../i18n/useT.js';
import { Icon } from './Icon.js';

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, makes the page inert and closes
 * on Escape. Focus returns to the control that opened it.
 */
export function Dialog({
  open,
  title,
  description,
  onClose,
  children,
  footer,
  size = 'md',
  testId,
  dismissible = true,
}: {
  open: boolean;
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children?: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  testId?: string;
  /** When false, Escape and the close button do nothing (a decision must be made). */
  dismissible?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const t = useT();
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
      if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
    }
  }, [open]);

  useEffect(() => {
    return () => {
      if (ref.current?.open) ref.current.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        if (dismissible) onClose();
      }}
    >
      {open ? (
        <div className="dialog-inner">
          <header className="dialog-header">
            <h2 id={titleId} className="dialog-title">
              {title}
            </h2>
            {dismissible ? (
              <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
                <Icon name="x" />
              </button>
            ) : null}
          </header>
          {description ? (
            <p id={descId} className="dialog-description">
              {description}
            </p>
          ) : null}
          <div className="dialog-body">{children}</div>
          {footer ? <footer className="dialog-footer">{footer}</footer> : null}
        </div>
      ) : null}
    </dialog>
  );
}
