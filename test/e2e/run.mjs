// Browser tests against the real, built server on the embedded engine with demo data.
// Assumes `npm run build` has produced dist/. Starts `node dist/server/main.js` on a free port with a fresh
// data folder, waits for /api/health, runs test/e2e/*.test.mjs with node's test runner, stops the server.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const resultsDir = path.join(root, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const serverEntry = path.join(root, 'dist', 'server', 'main.js');
if (!fs.existsSync(serverEntry) || !fs.existsSync(path.join(root, 'dist', 'web', 'index.html'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-e2e-'));
const baseUrl = `http://127.0.0.1:${port}`;
const logPath = path.join(resultsDir, 'e2e-server.log');
const log = fs.createWriteStream(logPath);

const env = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  HALAS_DATA_DIR: dataDir,
  HALAS_DEMO: '1',
};
delete env.DATABASE_URL; // demo data lives on the embedded engine only

const server = spawn(process.execPath, [serverEntry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
server.stdout.pipe(log);
server.stderr.pipe(log);
let serverExited = false;
server.on('exit', (code, signal) => {
  serverExited = true;
  if (!stopping) console.error(`server exited early (code ${code}, signal ${signal}); see ${logPath}`);
});

let stopping = false;
async function stopServer() {
  stopping = true;
  if (!serverExited) {
    server.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (!serverExited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!serverExited) server.kill('SIGKILL');
  }
  log.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

async function waitForHealth() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (serverExited) return false;
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The demo survivors are registered after the server listens: the tests start once they all are. */
async function waitForDemoData() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (serverExited) return false;
    if (fs.readFileSync(logPath, 'utf8').includes('Demo data complete')) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

let exitCode = 1;
try {
  if (!(await waitForHealth())) {
    console.error(`the server did not become healthy within 60 s:\n${tail(logPath)}`);
  } else if (!(await waitForDemoData())) {
    console.error(`the demo data was not complete within 120 s:\n${tail(logPath)}`);
  } else {
    // admin.test.mjs resets a demo colleague's sign-in (authority), whom other files sign in as: it runs in a
    // second pass, after the others (node's runner orders the files of one pass itself)
    const MUTATES_DEMO_ACCOUNTS = ['admin.test.mjs'];
    const files = fs
      .readdirSync(here)
      .filter((f) => f.endsWith('.test.mjs'))
      .sort();
    const only = process.argv.slice(2);
    const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
    const passes = [
      selected.filter((f) => !MUTATES_DEMO_ACCOUNTS.includes(f)),
      selected.filter((f) => MUTATES_DEMO_ACCOUNTS.includes(f)),
    ].filter((pass) => pass.length > 0);
    exitCode = 0;
    for (const pass of passes) {
      const code = await new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          ['--test', '--test-concurrency=1', ...pass.map((f) => path.join(here, f))],
          { cwd: root, env: { ...process.env, HALAS_E2E_URL: baseUrl }, stdio: 'inherit' },
        );
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) exitCode = code;
    }
    if (exitCode !== 0) console.error(`browser tests failed; server log: ${logPath}`);
  }
} finally {
  await stopServer();
}
process.exit(exitCode);
