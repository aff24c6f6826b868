import type { Locale } from '../../shared/domain/locales.js';
import type { en } from '../../shared/i18n/web/en.js';

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const loaders: Record<Locale, () => Promise<Messages>> = {
  tk: () => import('../../shared/i18n/web/tk.js').then((m) => m.tk),
  ru: () => import('../../shared/i18n/web/ru.js').then((m) => m.ru),
  en: () => import('../../shared/i18n/web/en.js').then((m) => m.en),
};

const cache = new Map<Locale, Messages>();

export async function loadMessages(locale: Locale): Promise<Messages> {
  const cached = cache.get(locale);
  if (cached) return cached;
  const messages = await loaders[locale]();
  cache.set(locale, messages);
  return messages;
}

/** Each language named in itself, so a reader finds their own whatever language is showing. */
export const LOCALE_NAMES: Record<Locale, string> = {
  tk: 'Türkmençe',
  ru: 'Русский',
  en: 'English',
};
