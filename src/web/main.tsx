import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { applyDocumentLocale } from './i18n/LocaleProvider.js';
import { loadMessages } from './i18n/messages.js';
import { readStoredLocale } from './i18n/storage.js';
import './styles/app.css';

async function start(): Promise<void> {
  const locale = readStoredLocale();
  applyDocumentLocale(locale);
  const messages = await loadMessages(locale);
  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing');
  createRoot(root).render(
    <StrictMode>
      <App locale={locale} messages={messages} />
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  console.error(error);
  const root = document.getElementById('root');
  if (root) {
    root.textContent = '';
    const p = document.createElement('p');
    p.className = 'fatal';
    p.textContent = 'Halas could not start. Reload the page. / Halas açylmady. Sahypany täzeden ýükläň.';
    root.append(p);
  }
});
