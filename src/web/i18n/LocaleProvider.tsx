import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { createIntl, createIntlCache, RawIntlProvider } from 'react-intl';
import type { Locale } from '../../shared/domain/locales.js';
import { configureClient } from '../api/client.js';
import { loadMessages, type Messages } from './messages.js';
import { storeLocale } from './storage.js';

interface LocaleContextValue {
  locale: Locale;
  /** Loads the language's messages and Intl data, then switches. */
  setLocale: (locale: Locale) => Promise<void>;
  /** True once dates and numbers can be formatted correctly in the current language. */
  intlReady: boolean;
}

const LocaleContext = createContext<LocaleContextValue | null>(null);

export function applyDocumentLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  document.documentElement.dir = 'ltr';
  configureClient({ locale });
}

/**
 * Intl polyfills (Turkmen dates and numbers) are fetched in the background, so the sign-in page does not
 * wait for them; the signed-in pages, which show dates, wait for `intlReady`.
 */
function loadIntl(locale: Locale): Promise<void> {
  return import('./polyfills.js')
    .then((m) => m.ensureIntl(locale))
    .catch((error: unknown) => {
      console.warn('Intl polyfills could not be loaded; using the browser’s formatting', error);
    });
}

export function LocaleProvider(props: {
  initialLocale: Locale;
  initialMessages: Messages;
  children: ReactNode;
}) {
  const [state, setState] = useState({
    locale: props.initialLocale,
    messages: props.initialMessages,
    generation: 0,
  });
  const [intlReady, setIntlReady] = useState(false);
  const latest = useRef(props.initialLocale);

  useEffect(() => {
    let cancelled = false;
    void loadIntl(props.initialLocale).then(() => {
      if (cancelled) return;
      // A new formatter cache: formatters made before the polyfill was installed are dropped.
      setState((s) => ({ ...s, generation: s.generation + 1 }));
      setIntlReady(true);
    });
    return () => {
      cancelled = true;
    };
  }, [props.initialLocale]);

  const setLocale = useCallback(async (locale: Locale) => {
    latest.current = locale;
    const [messages] = await Promise.all([loadMessages(locale), loadIntl(locale)]);
    if (latest.current !== locale) return; // a later choice won
    storeLocale(locale);
    applyDocumentLocale(locale);
    setState((s) => ({ locale, messages, generation: s.generation + 1 }));
  }, []);

  useEffect(() => {
    applyDocumentLocale(state.locale);
  }, [state.locale]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation means a new formatter cache
  const intl = useMemo(
    () =>
      createIntl(
        {
          locale: state.locale,
          messages: state.messages,
          defaultLocale: 'tk',
          onError: (error) => {
            if (import.meta.env.DEV) console.warn(error.message);
          },
        },
        createIntlCache(),
      ),
    [state.locale, state.messages, state.generation],
  );

  const value = useMemo(
    () => ({ locale: state.locale, setLocale, intlReady }),
    [state.locale, setLocale, intlReady],
  );

  return (
    <LocaleContext.Provider value={value}>
      <RawIntlProvider value={intl}>{props.children}</RawIntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): LocaleContextValue {
  const value = useContext(LocaleContext);
  if (!value) throw new Error('useLocale outside LocaleProvider');
  return value;
}
