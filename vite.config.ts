import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The Intl.DateTimeFormat polyfill (needed for Turkmen, which Chromium lacks) formats in UTC unless it is
 * given time-zone data, and the full data set is ~126 KB gzip. This virtual module carries only the zones
 * Halas's users are likely to be in; the app falls back to the full set for any other zone.
 */
const TZ_SUBSET = [
  'Asia/Ashgabat',
  'Asia/Tashkent',
  'Asia/Samarkand',
  'Asia/Almaty',
  'Asia/Bishkek',
  'Asia/Dushanbe',
  'Asia/Tehran',
  'Asia/Kabul',
  'Asia/Baku',
  'Europe/Moscow',
  'Europe/Istanbul',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Etc/UTC',
  'UTC',
];

const INTL_MODULE =
  /@formatjs[\\/]intl-(datetimeformat|numberformat|pluralrules|locale|getcanonicallocales|localematcher|supportedvaluesof)[\\/]|@formatjs[\\/]bigdecimal|halas-tz-subset|[\\/]web[\\/]i18n[\\/](polyfills|intl-tk)/;

function tzSubset(): Plugin {
  const id = 'virtual:halas-tz-subset';
  const resolved = `\0${id}`;
  return {
    name: 'halas-tz-subset',
    resolveId: (source) => (source === id ? resolved : undefined),
    load(loadId) {
      if (loadId !== resolved) return undefined;
      const require = createRequire(import.meta.url);
      const file = require.resolve('@formatjs/intl-datetimeformat/add-golden-tz.js');
      const source = readFileSync(file, 'utf8');
      type Packed = { abbrvs: string; offsets: string; zones: string[] };
      let packed: Packed | undefined;
      const fakeIntl = { DateTimeFormat: { __addTZData: (data: Packed) => (packed = data) } };
      new Function('Intl', source)(fakeIntl);
      if (!packed) throw new Error('could not read time-zone data');
      const zones = packed.zones.filter((z) => TZ_SUBSET.includes(z.slice(0, z.indexOf('|'))));
      const data = JSON.stringify({ abbrvs: packed.abbrvs, offsets: packed.offsets, zones });
      const names = JSON.stringify(zones.map((z) => z.slice(0, z.indexOf('|'))));
      return `export const zoneNames = ${names};\nexport const data = ${data};\n`;
    },
  };
}

/**
 * Writes a Brotli (.br) and a gzip (.gz) copy beside every text asset of the build, compressed once at the
 * highest level, so the server sends the smallest encoding the browser accepts without compressing per request
 * (and never compresses API responses, which carry secrets next to reflected input: BREACH).
 */
function precompress(): Plugin {
  const TEXT = /\.(js|css|svg|json|webmanifest|txt)$/;
  let outDir = '';
  return {
    name: 'halas-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const file = path.join(dir, name);
          return statSync(file).isDirectory() ? walk(file) : [file];
        });
      for (const file of walk(outDir).filter((f) => TEXT.test(f))) {
        const source = readFileSync(file);
        if (source.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(source, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(source, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
            },
          }),
        );
      }
    },
  };
}

/**
 * The entry (src/web/main.tsx) imports the application dynamically, so that it can start the API calls and
 * the messages at once; this plugin lets the browser fetch the application's code from the first moment as
 * well, with a modulepreload link in index.html for src/web/boot.tsx and every chunk it imports statically.
 */
function preloadBoot(): Plugin {
  return {
    name: 'halas-preload-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
        const boot = chunks.find((c) => c.facadeModuleId?.endsWith('/src/web/boot.tsx'));
        if (!boot) throw new Error('preload-boot: the boot chunk is missing');
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName)) return;
          files.add(fileName);
          for (const imported of chunks.find((c) => c.fileName === fileName)?.imports ?? []) visit(imported);
        };
        visit(boot.fileName);
        const entry = chunks.find((c) => c.isEntry);
        for (const f of [entry?.fileName, ...(entry?.imports ?? [])]) if (f) files.delete(f);
        return [...files].map((fileName) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `/${fileName}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  plugins: [react(), tzSubset(), preloadBoot(), precompress()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // Intl polyfills and their locale data go to assets/intl/: fetched only by browsers that lack
        // a locale (Chromium lacks Turkmen), after the first render; easy to tell apart in size budgets.
        chunkFileNames: (chunk) =>
          chunk.moduleIds.some((id) => INTL_MODULE.test(id))
            ? 'assets/intl/[name]-[hash].js'
            : 'assets/[name]-[hash].js',
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
