import { DEFAULT_LOCALE, isLocale, type Locale } from '../../shared/domain/locales.js';

/** The only key Halas keeps in browser storage: the chosen language, never personal data or tokens. */
export const LOCALE_STORAGE_KEY = 'halas.locale';

export function readStoredLocale(): Locale {
  try {
    const value = window.localStorage.getItem(LOCALE_STORAGE_KEY);
    return isLocale(value) ? value : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

export function storeLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // Storage may be disabled; the language then lasts for this page only.
  }
}
