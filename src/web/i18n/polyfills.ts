import { shouldPolyfill as shouldPolyfillDateTime } from '@formatjs/intl-datetimeformat/should-polyfill.js';
import { shouldPolyfill as shouldPolyfillCanonical } from '@formatjs/intl-getcanonicallocales/should-polyfill.js';
import { shouldPolyfill as shouldPolyfillLocale } from '@formatjs/intl-locale/should-polyfill.js';
import { shouldPolyfill as shouldPolyfillNumber } from '@formatjs/intl-numberformat/should-polyfill.js';
import { shouldPolyfill as shouldPolyfillPlural } from '@formatjs/intl-pluralrules/should-polyfill.js';
import type { Locale } from '../../shared/domain/locales.js';

/**
 * Browsers (Chromium among them) ship without Turkmen date and number data. For each Intl service the
 * browser cannot do in a locale, the FormatJS polyfill replaces it, and from then on every locale the app
 * shows gets its data loaded before it is shown. Everything here is fetched only when needed.
 */

type Loader = () => Promise<unknown>;

const pluralData: Record<Locale, Loader> = {
  tk: () => import('@formatjs/intl-pluralrules/locale-data/tk.js'),
  ru: () => import('@formatjs/intl-pluralrules/locale-data/ru.js'),
  en: () => import('@formatjs/intl-pluralrules/locale-data/en.js'),
};
const numberData: Record<Locale, Loader> = {
  tk: () => import('@formatjs/intl-numberformat/locale-data/tk.js'),
  ru: () => import('@formatjs/intl-numberformat/locale-data/ru.js'),
  en: () => import('@formatjs/intl-numberformat/locale-data/en.js'),
};
const dateData: Record<Locale, Loader> = {
  tk: () => import('@formatjs/intl-datetimeformat/locale-data/tk.js'),
  ru: () => import('@formatjs/intl-datetimeformat/locale-data/ru.js'),
  en: () => import('@formatjs/intl-datetimeformat/locale-data/en.js'),
};

interface Service {
  should: (locale: string) => string | undefined;
  force: Loader;
  data: Record<Locale, Loader>;
  polyfilled: boolean;
  loaded: Set<Locale>;
  after?: () => Promise<void>;
}

/** The zone the browser is in, read before any polyfill replaces Intl.DateTimeFormat. */
const browserTimeZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
})();

interface PolyfilledDateTimeFormat {
  __addTZData: (data: unknown) => void;
  __setDefaultTimeZone: (timeZone: string) => void;
}

async function addTimeZoneData(loaded?: Promise<typeof import('virtual:halas-tz-subset')>): Promise<void> {
  const dtf = Intl.DateTimeFormat as unknown as PolyfilledDateTimeFormat;
  const subset = await (loaded ?? import('virtual:halas-tz-subset'));
  if (subset.zoneNames.includes(browserTimeZone) || /^(Etc\/)?(UTC|GMT)$/.test(browserTimeZone)) {
    dtf.__addTZData(subset.data);
  } else {
    await import('@formatjs/intl-datetimeformat/add-golden-tz.js');
  }
  try {
    dtf.__setDefaultTimeZone(browserTimeZone);
  } catch {
    // A zone the data does not know: the polyfill keeps UTC.
  }
}

const services: Service[] = [
  {
    should: shouldPolyfillPlural,
    force: () => import('@formatjs/intl-pluralrules/polyfill-force.js'),
    data: pluralData,
    polyfilled: false,
    loaded: new Set(),
  },
  {
    should: shouldPolyfillNumber,
    force: () => import('@formatjs/intl-numberformat/polyfill-force.js'),
    data: numberData,
    polyfilled: false,
    loaded: new Set(),
  },
  {
    should: shouldPolyfillDateTime,
    force: () => import('@formatjs/intl-datetimeformat/polyfill-force.js'),
    data: dateData,
    polyfilled: false,
    loaded: new Set(),
    after: addTimeZoneData,
  },
];

const [plural, number, dateTime] = services as [Service, Service, Service];

let base: Promise<void> | undefined;

function ensureBase(): Promise<void> {
  base ??= (async () => {
    if (shouldPolyfillCanonical()) await import('@formatjs/intl-getcanonicallocales/polyfill-force.js');
    if (shouldPolyfillLocale()) await import('@formatjs/intl-locale/polyfill-force.js');
  })();
  return base;
}

/** Turkmen in a browser that has none of it: the whole set in one round trip (intl-tk.ts). */
async function turkmenAtOnce(): Promise<void> {
  const bundle = await import('./intl-tk.js');
  for (const service of [number, dateTime]) {
    service.polyfilled = true;
    service.loaded.add('tk');
  }
  await addTimeZoneData(Promise.resolve(bundle.tzSubset));
}

let pending: Promise<void> = Promise.resolve();

/** Makes plural rules, number and date formatting work in `locale`. Safe to call repeatedly and at once. */
export function ensureIntl(locale: Locale): Promise<void> {
  pending = pending.catch(() => {}).then(() => ensureIntlNow(locale));
  return pending;
}

async function ensureIntlNow(locale: Locale): Promise<void> {
  await ensureBase();
  // In order: number formatting uses plural rules, date formatting uses number formatting.
  if (locale === 'tk' && [number, dateTime].every((s) => !s.polyfilled && s.should('tk'))) {
    await ensureService(plural, locale);
    await turkmenAtOnce();
  }
  for (const service of services) await ensureService(service, locale);
}

async function ensureService(service: Service, locale: Locale): Promise<void> {
  if (!service.polyfilled && service.should(locale)) {
    await service.force();
    service.polyfilled = true;
    await service.after?.();
  }
  if (service.polyfilled && !service.loaded.has(locale)) {
    await service.data[locale]();
    service.loaded.add(locale);
  }
}
