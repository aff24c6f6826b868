import type { Locale } from '../../domain/locales.js';
import { en, type ServerMessageKey } from './en.js';
import { ru } from './ru.js';
import { tk } from './tk.js';

export type { ServerMessageKey };
export const serverCatalogs: Record<Locale, Record<ServerMessageKey, string>> = { en, ru, tk };

export function serverMessage(
  locale: Locale,
  key: ServerMessageKey,
  params: Record<string, string | number> = {},
): string {
  const template = serverCatalogs[locale][key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
