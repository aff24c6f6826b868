import { useState } from 'react';
import { useT } from '../i18n/useT.js';
import { Button } from './Button.js';

/** Copies a value to the clipboard; says so for a few seconds (visibly and to screen readers). */
export function CopyButton({ value, label, testId }: { value: string; label?: string; testId?: string }) {
  const t = useT();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  return (
    <>
      <Button
        size="sm"
        icon={copied === 'yes' ? 'check' : 'copy'}
        data-testid={testId}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setCopied('yes');
          } catch {
            setCopied('failed');
          }
          window.setTimeout(() => setCopied('no'), 4000);
        }}
      >
        {copied === 'yes' ? t('common.copied') : (label ?? t('common.copy'))}
      </Button>
      <span className="visually-hidden" aria-live="polite">
        {copied === 'yes' ? t('common.copied') : copied === 'failed' ? t('common.copyFailed') : ''}
      </span>
    </>
  );
}
