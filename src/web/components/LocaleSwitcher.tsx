import { useId, useState } from 'react';
import { isLocale, LOCALES, type Locale } from '../../shared/domain/locales.js';
import { useLocale } from '../i18n/LocaleProvider.js';
import { LOCALE_NAMES } from '../i18n/messages.js';
import { useT } from '../i18n/useT.js';
import { Icon } from './Icon.js';

/**
 * Language choice, each language named in itself. `onChange` lets a signed-in user's choice be saved to
 * their account first; otherwise it only switches the interface (and remembers it in this browser).
 */
export function LocaleSwitcher({
  onChange,
  tone = 'light',
}: {
  onChange?: (locale: Locale) => Promise<void>;
  tone?: 'light' | 'dark';
}) {
  const { locale, setLocale } = useLocale();
  const t = useT();
  const id = useId();
  const [busy, setBusy] = useState(false);
  return (
    <div className={`locale-switch locale-switch-${tone}`}>
      <label htmlFor={id} className="locale-switch-label">
        <Icon name="globe" size={16} />
        <span className="visually-hidden">{t('common.language')}</span>
      </label>
      <select
        id={id}
        className="locale-select"
        data-testid="locale-switch"
        value={locale}
        disabled={busy}
        aria-busy={busy || undefined}
        onChange={async (event) => {
          const next = event.target.value;
          if (!isLocale(next) || next === locale) return;
          setBusy(true);
          try {
            if (onChange) await onChange(next);
            else await setLocale(next);
          } finally {
            setBusy(false);
          }
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
