/**
 * The entry: small on purpose. It starts, at the same moment, everything the first screen needs — the
 * application's code, the language's messages and the two API answers every page begins with (who am I,
 * instance facts) — instead of discovering them one after another. On a slow network each discovery costs a
 * round trip of half a second or more (G10).
 */
import { startEarly } from './api/client.js';
import { loadMessages } from './i18n/messages.js';
import { readStoredLocale } from './i18n/storage.js';
import './styles/app.css';

const locale = readStoredLocale();
startEarly(['/api/me', '/api/meta'], locale);
// Signed-in pages wait for dates and numbers to format right in the language (Intl polyfills for Turkmen in
// Chromium): start on them now, except on the pages shown before sign-in, which need none.
if (!/^\/(signin|setup)\b/.test(window.location.pathname)) {
  void import('./i18n/polyfills.js').then((m) => m.ensureIntl(locale)).catch(() => {});
}

Promise.all([import('./boot.js'), loadMessages(locale)])
  .then(([boot, messages]) => boot.start(locale, messages))
  .catch((error: unknown) => {
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
