import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { IntlProvider } from 'react-intl';
import type { Locale } from '../../shared/domain/locales.js';
import { configureClient } from '../api/client.js';
import { loadMessages, type Messages } from './messages.js';
import { ensureIntl } from './polyfills.js';
import { storeLocale } from './storage.js';

interface LocaleContextValue {
  locale: Locale;
  /** Loads the language's messages and Intl data, then switches. */
  setLocale: (locale: Locale) => Promise<void>;
}

const LocaleContext = createContext<LocaleContextValue | null>(null);

export function applyDocumentLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  document.documentElement.dir = 'ltr';
  configureClient({ locale });
}

export function LocaleProvider(props: { initialLocale: Locale; initialMessages: Messages; children: ReactNode }) {
  const [state, setState] = useState({ locale: props.initialLocale, messages: props.initialMessages });
  const latest = useRef(props.initialLocale);

  const setLocale = useCallback(async (locale: Locale) => {
    latest.current = locale;
    const [messages] = await Promise.all([loadMessages(locale), ensureIntl(locale)]);
    if (latest.current !== locale) return; // a later choice won
    storeLocale(locale);
    applyDocumentLocale(locale);
    setState({ locale, messages });
  }, []);

  useEffect(() => {
    applyDocumentLocale(state.locale);
  }, [state.locale]);

  const value = useMemo(() => ({ locale: state.locale, setLocale }), [state.locale, setLocale]);

  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider
        locale={state.locale}
        messages={state.messages}
        defaultLocale="tk"
        onError={(error) => {
          if (import.meta.env.DEV) console.warn(error.message);
        }}
      >
        {props.children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): LocaleContextValue {
  const value = useContext(LocaleContext);
  if (!value) throw new Error('useLocale outside LocaleProvider');
  return value;
}
