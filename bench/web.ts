/**
 * G10 and G11: the web application on a poor network and a slow phone, in Debian's Chromium.
 *
 * The built server runs on the embedded engine with demo data (what `npm start` gives). For each network
 * profile, 5 cold loads (fresh browser context, empty cache) of the sign-in page and of the persons list (the
 * case list until the case module exists), each with the CPU slowed 4×:
 *   - LCP and CLS from the `web-vitals` library (injected before the page's own scripts);
 *   - TBT: the sum of (long task − 50 ms) after first contentful paint, from a PerformanceObserver;
 *   - "first useful render": navigation start → the sign-in form or the first list row is visible;
 *   - sequential API round trips before the list shows (longest chain of /api requests, each starting after
 *     the previous ended), and the JavaScript the page fetched (gzip, as served).
 * G11: on the largest form (person registration) with 4× CPU, 200 characters typed across its text fields;
 * keydown → next animation frame (the INP proxy) p75; and the transfer of a repeat visit to the shell.
 *
 * Profiles follow Lighthouse's DevTools-throttling presets: Slow 4G = 150 ms RTT × 3.75 request latency,
 * 1.6 Mbps × 0.9 down, 750 kbps × 0.9 up; Slow 3G = 400 ms RTT × 5, 500 kbps × 0.8 both ways.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { projectRoot } from '../src/server/config/index.js';
import type { BenchArm } from './arm.js';
import { demoComplete } from './support/proc.js';

const PASSWORD = 'Garagum-desert-2026';
const LOADS = 5;
const kbps = (k: number) => (k * 1024) / 8;
const PROFILES = {
  'slow-4g': {
    latency: 150 * 3.75,
    downloadThroughput: kbps(1.6 * 1024 * 0.9),
    uploadThroughput: kbps(750 * 0.9),
  },
  'slow-3g': { latency: 400 * 5, downloadThroughput: kbps(500 * 0.8), uploadThroughput: kbps(500 * 0.8) },
} as const;
type Profile = keyof typeof PROFILES;
const CPU_SLOWDOWN = 4;

const vitalsScript = fs.readFileSync(
  path.join(projectRoot, 'node_modules', 'web-vitals', 'dist', 'web-vitals.iife.js'),
  'utf8',
);
/** Runs in the page before its own scripts: collects LCP, CLS, long tasks, FCP and keydown → frame delays. */
const PROBE = `${vitalsScript}
window.__halasBench = { lcp: null, cls: 0, longTasks: [], fcp: null, keyDelays: [] };
webVitals.onLCP((m) => { window.__halasBench.lcp = m.value; }, { reportAllChanges: true });
webVitals.onCLS((m) => { window.__halasBench.cls = m.value; }, { reportAllChanges: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__halasBench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') window.__halasBench.fcp = e.startTime;
}).observe({ type: 'paint', buffered: true });
addEventListener('keydown', (event) => {
  const start = event.timeStamp;
  requestAnimationFrame(() => window.__halasBench.keyDelays.push(performance.now() - start));
}, true);
`;

interface Probe {
  lcp: number | null;
  cls: number;
  longTasks: [number, number][];
  fcp: number | null;
  keyDelays: number[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startDemoServer(): Promise<{ child: ChildProcess; base: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-bench-web-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    HALAS_DATA_DIR: dir,
    HALAS_DEMO: '1',
    HALAS_SESSION_IDLE_SECONDS: '3600',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'server', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  const base = `http://127.0.0.1:${port}`;
  // ready once the demo survivors, registered after the server listens, are all there
  if (await demoComplete({ t0: performance.now(), stdout: () => out })) return { child, base, dir };
  child.kill('SIGKILL');
  throw new Error('the demo server did not start');
}

/** Signs the case manager in through the API and registers persons, so the list has a page to show. */
async function seed(base: string): Promise<string> {
  const headers = { 'content-type': 'application/json', origin: base, 'x-halas-request': '1' };
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username: 'casemanager', password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (!login.ok || !cookie) throw new Error(`demo sign-in failed (${login.status})`);
  for (let i = 0; i < 30; i++) {
    const res = await fetch(`${base}/api/persons`, {
      method: 'POST',
      headers: { ...headers, cookie, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({ sex: i % 2 ? 'female' : 'male', birthYear: 1980 + (i % 25) }),
    });
    if (!res.ok) throw new Error(`registering a person failed (${res.status} ${await res.text()})`);
  }
  return cookie;
}

const launch = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

interface Traffic {
  bytes: number;
  scriptBytes: number;
  api: { start: number; end: number }[];
}

/** Throttles the page's network and CPU and records what crosses the (emulated) wire. */
async function throttle(
  page: Page,
  profile: Profile | null,
  cpu: boolean,
): Promise<{ cdp: CDPSession; traffic: Traffic }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  if (profile) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILES[profile] });
  if (cpu) await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const traffic: Traffic = { bytes: 0, scriptBytes: 0, api: [] };
  const pending = new Map<string, { start: number; api: boolean; script: boolean }>();
  cdp.on('Network.requestWillBeSent', (e) => {
    pending.set(e.requestId, {
      start: e.timestamp,
      api: new URL(e.request.url).pathname.startsWith('/api/'),
      script: e.type === 'Script',
    });
  });
  cdp.on('Network.loadingFinished', (e) => {
    traffic.bytes += e.encodedDataLength;
    const request = pending.get(e.requestId);
    if (!request) return;
    if (request.script) traffic.scriptBytes += e.encodedDataLength;
    if (request.api) traffic.api.push({ start: request.start, end: e.timestamp });
  });
  return { cdp, traffic };
}

/** The longest chain of API requests in which each one started after the previous one had finished. */
function sequentialRoundTrips(api: { start: number; end: number }[]): number {
  const sorted = [...api].sort((a, b) => a.end - b.end);
  const depth: number[] = [];
  sorted.forEach((r, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= r.start) best = Math.max(best, depth[j]!);
    depth.push(best + 1);
  });
  return Math.max(0, ...depth);
}

const tbt = (p: Probe) =>
  p.longTasks
    .filter(([start]) => p.fcp === null || start >= p.fcp)
    .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0);

interface Load {
  lcp: number;
  cls: number;
  tbt: number;
  useful: number;
  roundTrips: number;
  scriptKb: number;
}

async function coldLoad(
  browser: Browser,
  base: string,
  profile: Profile,
  target: 'signin' | 'list',
  cookie: string,
): Promise<Load> {
  const context: BrowserContext = await browser.newContext({
    baseURL: base,
    viewport: { width: 412, height: 823 },
  });
  try {
    if (target === 'list') {
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: base }]);
    }
    const page = await context.newPage();
    await page.addInitScript(PROBE);
    const { traffic } = await throttle(page, profile, true);
    const t0 = Date.now();
    await page.goto(target === 'signin' ? '/signin' : '/persons', { waitUntil: 'commit' });
    await page
      .locator(target === 'signin' ? '[data-testid="signin-username"]' : '[data-testid="person-row"]')
      .first()
      .waitFor({ timeout: 120_000 });
    const useful = Date.now() - t0;
    await page.waitForTimeout(1000); // let layout shifts and late long tasks land
    const probe = (await page.evaluate('window.__halasBench')) as Probe;
    return {
      lcp: probe.lcp ?? Number.NaN,
      cls: probe.cls,
      tbt: tbt(probe),
      useful,
      roundTrips: sequentialRoundTrips(traffic.api),
      scriptKb: traffic.scriptBytes / 1024,
    };
  } finally {
    await context.close();
  }
}

/** G11: keystrokes on the registration form with 4× CPU; then a repeat visit of the shell. */
async function typing(
  browser: Browser,
  base: string,
  cookie: string,
): Promise<{ p75: number; max: number; repeatKb: number }> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1366, height: 900 } });
  try {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.addInitScript(PROBE);
    await page.goto('/persons/new');
    const fields = page.locator(
      'main input[type="text"]:visible, main input:not([type]):visible, main textarea:visible',
    );
    await fields.first().waitFor();
    await throttle(page, null, true);
    const count = await fields.count();
    const text = 'Ogulgerek Annamyradowa Çaryýewa 1998 Aşgabat köçesi ';
    let typed = 0;
    for (let i = 0; typed < 200; i++) {
      const chunk = text.slice(0, Math.min(20, 200 - typed));
      await fields.nth(i % count).pressSequentially(chunk, { delay: 30 });
      typed += chunk.length;
    }
    await page.waitForTimeout(500);
    const delays = ((await page.evaluate('window.__halasBench')) as Probe).keyDelays.sort((a, b) => a - b);
    // Repeat visit: the shell again, with the cache warm, on the normal network.
    const { traffic } = await throttle(page, null, false);
    await page.goto('/');
    await page.locator('[data-testid="page-title"]').waitFor();
    await page.waitForTimeout(500);
    return {
      p75: delays[Math.floor(0.75 * (delays.length - 1))] ?? Number.NaN,
      max: delays.at(-1) ?? Number.NaN,
      repeatKb: traffic.bytes / 1024,
    };
  } finally {
    await context.close();
  }
}

export const run: BenchArm = async ({ record }) => {
  if (!fs.existsSync('/usr/bin/chromium')) {
    console.info('# web arm skipped: /usr/bin/chromium is not installed (apt install chromium)');
    return;
  }
  const server = await startDemoServer();
  let browser: Browser | undefined;
  try {
    const cookie = await seed(server.base);
    browser = await launch();
    for (const profile of Object.keys(PROFILES) as Profile[]) {
      for (const target of ['signin', 'list'] as const) {
        const loads: Load[] = [];
        for (let i = 0; i < LOADS; i++)
          loads.push(await coldLoad(browser, server.base, profile, target, cookie));
        const page = target === 'signin' ? 'sign-in page' : 'persons list';
        const engine = `chromium ${profile}`;
        record(
          'G10',
          `${page}: LCP (4× CPU)`,
          'ms',
          engine,
          loads.map((l) => l.lcp),
        );
        record(
          'G10',
          `${page}: CLS`,
          'score',
          engine,
          loads.map((l) => l.cls),
        );
        record(
          'G10',
          `${page}: TBT (4× CPU)`,
          'ms',
          engine,
          loads.map((l) => l.tbt),
        );
        record(
          'G10',
          `${page}: first useful render`,
          'ms',
          engine,
          loads.map((l) => l.useful),
        );
        record(
          'G10',
          `${page}: JavaScript transferred`,
          'KB',
          engine,
          loads.map((l) => l.scriptKb),
        );
        if (target === 'list')
          record(
            'G10',
            `${page}: sequential API round trips before the list`,
            'count',
            engine,
            loads.map((l) => l.roundTrips),
          );
      }
    }
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await typing(browser, server.base, cookie));
    record(
      'G11',
      'registration form: keydown → next frame p75 (4× CPU)',
      'ms',
      'chromium',
      runs.map((r) => r.p75),
    );
    record(
      'G11',
      'registration form: keydown → next frame max (4× CPU)',
      'ms',
      'chromium',
      runs.map((r) => r.max),
    );
    record(
      'G11',
      'repeat visit of the shell: bytes transferred',
      'KB',
      'chromium',
      runs.map((r) => r.repeatKb),
    );
  } finally {
    await browser?.close();
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(server.dir, { recursive: true, force: true });
  }
};
