import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { FormattedMessage } from 'react-intl';
import { configureClient } from '../api/client.js';
import { endpoints } from '../api/endpoints.js';
import { Button } from '../components/Button.js';
import { Dialog } from '../components/Dialog.js';
import { useT } from '../i18n/useT.js';
import { meKey, useSession } from './session.js';

const WARN_BEFORE_SECONDS = 120;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * The server ends a session after `idleTimeoutSeconds` without a request. While the user works here
 * (typing, clicking), this keeps the session alive with an occasional GET /api/me; when nobody has used the
 * page, it warns two minutes before the end and offers to stay signed in or sign out.
 */
export function IdleWatcher({ idleTimeoutSeconds }: { idleTimeoutSeconds: number }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { signOut } = useSession();
  const lastContact = useRef(Date.now());
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const warning = secondsLeft !== null;
  const warningRef = useRef(false);
  warningRef.current = warning;

  const timeoutMs = idleTimeoutSeconds * 1000;
  const warnMs = Math.max(timeoutMs - WARN_BEFORE_SECONDS * 1000, timeoutMs / 2);
  // Activity refreshes the server session at most this often.
  const keepAliveMs = Math.min(5 * 60_000, Math.max(15_000, timeoutMs / 4));

  useEffect(() => {
    configureClient({ onContact: () => (lastContact.current = Date.now()) });
    return () => configureClient({ onContact: () => {} });
  }, []);

  useEffect(() => {
    let pinging = false;
    const onActivity = () => {
      if (warningRef.current || pinging) return;
      if (Date.now() - lastContact.current < keepAliveMs) return;
      pinging = true;
      endpoints
        .me()
        .then((me) => queryClient.setQueryData(meKey, me))
        .catch(() => {})
        .finally(() => {
          pinging = false;
        });
    };
    for (const name of ACTIVITY_EVENTS)
      window.addEventListener(name, onActivity, { passive: true, capture: true });
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity, { capture: true });
    };
  }, [keepAliveMs, queryClient]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      const idle = Date.now() - lastContact.current;
      if (idle >= timeoutMs) {
        window.clearInterval(timer);
        setSecondsLeft(null);
        void signOut('session_ended');
      } else if (idle >= warnMs) {
        setSecondsLeft(Math.ceil((timeoutMs - idle) / 1000));
      } else if (warningRef.current) {
        setSecondsLeft(null);
      }
    }, 1000);
    return () => window.clearInterval(timer);
  }, [timeoutMs, warnMs, signOut]);

  const stay = async () => {
    setBusy(true);
    try {
      const me = await endpoints.me();
      queryClient.setQueryData(meKey, me);
      setSecondsLeft(null);
    } catch {
      // A 401 here ends the session through the client's handler.
    } finally {
      setBusy(false);
    }
  };

  const minutes = Math.floor((secondsLeft ?? 0) / 60);
  const seconds = (secondsLeft ?? 0) % 60;

  return (
    <Dialog
      open={warning}
      title={t('idle.title')}
      onClose={stay}
      size="sm"
      testId="idle-dialog"
      footer={
        <>
          <Button onClick={() => signOut('signed_out')} icon="logout">
            {t('idle.signOut')}
          </Button>
          <Button variant="primary" onClick={stay} busy={busy} data-testid="idle-stay">
            {t('idle.stay')}
          </Button>
        </>
      }
    >
      <p>
        <FormattedMessage
          id="idle.body"
          values={{
            time: `${minutes}:${String(seconds).padStart(2, '0')}`,
            b: (chunks) => <strong>{chunks}</strong>,
          }}
        />
      </p>
    </Dialog>
  );
}
