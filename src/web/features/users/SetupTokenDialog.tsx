import { FormattedDate, FormattedMessage } from 'react-intl';
import { Alert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { CopyButton } from '../../components/CopyButton.js';
import { Dialog } from '../../components/Dialog.js';
import { useT } from '../../i18n/useT.js';

/** Shows a one-time setup code exactly once, with what to do with it. */
export function SetupTokenDialog({
  issued,
  userName,
  onClose,
}: {
  issued: { setupToken: string; setupExpiresAt: string } | null;
  userName: string;
  onClose: () => void;
}) {
  const t = useT();
  return (
    <Dialog
      open={!!issued}
      title={t('setupToken.title')}
      onClose={onClose}
      dismissible={false}
      testId="setup-token-dialog"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="setup-token-done">
          {t('setupToken.done')}
        </Button>
      }
    >
      {issued ? (
        <div className="stack">
          <p>
            <FormattedMessage
              id="setupToken.intro"
              values={{ name: userName, b: (chunks) => <strong>{chunks}</strong> }}
            />
          </p>
          <div className="token-box">
            <code className="token" data-testid="setup-token-value">
              {issued.setupToken}
            </code>
            <CopyButton value={issued.setupToken} testId="setup-token-copy" />
          </div>
          <p className="muted">
            <FormattedMessage
              id="setupToken.expires"
              values={{
                date: (
                  <FormattedDate
                    value={issued.setupExpiresAt}
                    day="numeric"
                    month="long"
                    year="numeric"
                    hour="2-digit"
                    minute="2-digit"
                  />
                ),
              }}
            />
          </p>
          <Alert kind="warning" title={t('setupToken.onceTitle')}>
            <ul className="plain-bullets">
              <li>{t('setupToken.inPerson')}</li>
              <li>{t('setupToken.where')}</li>
              <li>{t('setupToken.once')}</li>
            </ul>
          </Alert>
        </div>
      ) : null}
    </Dialog>
  );
}
