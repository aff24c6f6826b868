/**
 * Everything a browser without Turkmen numbers and dates needs, as one module whose imports load in parallel
 * and run in this order (each polyfill before its locale data). Loaded by ensureIntl only when the browser
 * lacks both services for Turkmen (Chromium today): one round trip instead of one per polyfill and data
 * file, which on a slow network is seconds (G10). Plural rules, which Chromium has, go the usual way.
 */
import '@formatjs/intl-numberformat/polyfill-force.js';
import '@formatjs/intl-numberformat/locale-data/tk.js';
import '@formatjs/intl-datetimeformat/polyfill-force.js';
import '@formatjs/intl-datetimeformat/locale-data/tk.js';
import * as tzSubset from 'virtual:halas-tz-subset';

export { tzSubset };
