import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Locale } from '../shared/domain/locales.js';
import { App } from './app/App.js';
import { applyDocumentLocale } from './i18n/LocaleProvider.js';
import type { Messages } from './i18n/messages.js';

/** Renders the application once its code and the language's messages have arrived (see main.tsx). */
export function start(locale: Locale, messages: Messages): void {
  applyDocumentLocale(locale);
  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing');
  createRoot(root).render(
    <StrictMode>
      <App locale={locale} messages={messages} />
    </StrictMode>,
  );
}
