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

async function addTimeZoneData(): Promise<void> {
  const dtf = Intl.DateTimeFormat as unknown as PolyfilledDateTimeFormat;
  const subset = await import('virtual:halas-tz-subset');
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

let base: Promise<void> | undefined;

function ensureBase(): Promise<void> {
  base ??= (async () => {
    if (shouldPolyfillCanonical()) await import('@formatjs/intl-getcanonicallocales/polyfill-force.js');
    if (shouldPolyfillLocale()) await import('@formatjs/intl-locale/polyfill-force.js');
  })();
  return base;
}

/** Makes plural rules, number and date formatting work in `locale`. Safe to call repeatedly. */
export async function ensureIntl(locale: Locale): Promise<void> {
  await ensureBase();
  // In order: number formatting uses plural rules, date formatting uses number formatting.
  for (const service of services) {
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
}
