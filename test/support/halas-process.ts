/**
 * The real server as a child process (crash tests, degradation bench): spawned as node itself with tsx's
 * loader (no build needed), so the pid we SIGKILL is the server's; plus an operator account and session
 * written straight into the database, and the person-create request the writers send.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import type pg from 'pg';
import { projectRoot } from '../../src/server/config/index.js';
import { hashToken } from '../../src/server/platform/sessions.js';

export interface HalasProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** What it printed last (stdout and stderr, the last 20,000 characters). */
  output(): string;
  /** The log lines at level error or above (pino level ≥ 50) since the last call, apart from the rolling output. */
  errors(): string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function spawnHalas(env: Record<string, string>, port: number): HalasProcess {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HALAS_DEMO: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  let partial = '';
  const keep = (d: Buffer) => {
    out = (out + d).slice(-20_000);
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (/"level":(5|6)\d/.test(line) && errors.length < 1000) errors.push(line);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, pid: child.pid!, port, output: () => out, errors: () => errors.splice(0), exited };
}

/** Waits until /api/ready answers 200; fails at once if the process exits first. */
export async function waitReady(proc: HalasProcess, timeoutMs = 90_000): Promise<void> {
  let gone = false;
  void proc.exited.then(() => {
    gone = true;
  });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (gone) throw new Error(`Halas exited before it was ready:\n${proc.output()}`);
    const ok = await fetch(`http://127.0.0.1:${proc.port}/api/ready`, {
      signal: AbortSignal.timeout(3000),
    }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Halas was not ready within ${timeoutMs} ms:\n${proc.output()}`);
}

/** SIGKILL by pid and wait for the exit (never a broad kill). */
export async function killHard(proc: HalasProcess): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  await proc.exited;
}

export interface Operator {
  userId: string;
  agencyId: string;
  /** The Cookie header value of a signed-in session (password and second factor done). */
  cookie: string;
}

/**
 * A hotline operator (may create persons) in a fresh agency, with a session whose second factor is done,
 * written with a superuser connection to a migrated database: what sign-in with TOTP leaves behind.
 */
export async function seedOperator(admin: pg.Pool | pg.Client, tls = false): Promise<Operator> {
  const code = `ops-${randomBytes(4).toString('hex')}`;
  const agency = await admin.query<{ id: string }>(
    `INSERT INTO agencies (code, type, name) VALUES ($1, 'hotline_ngo', $2) RETURNING id`,
    [code, { tk: code, ru: code, en: code }],
  );
  const agencyId = agency.rows[0]!.id;
  const user = await admin.query<{ id: string }>(
    `INSERT INTO users (username, display_name, locale, mfa_enrolled_at) VALUES ($1, 'Operator', 'en', now())
     RETURNING id`,
    [code],
  );
  const userId = user.rows[0]!.id;
  await admin.query(
    `INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{hotline_operator}')`,
    [userId, agencyId],
  );
  const token = randomBytes(32).toString('base64url');
  await admin.query(
    `INSERT INTO sessions (token_hash, user_id, mfa_verified, created_at, last_seen_at, expires_at, authenticated_at)
     VALUES ($1, $2, true, now(), now(), now() + interval '1 day', now())`,
    [hashToken(token), userId],
  );
  return { userId, agencyId, cookie: `${tls ? '__Host-halas_session' : 'halas_session'}=${token}` };
}

/** A person-create body with a unique name (no duplicate-review task) and an identity class to encrypt. */
export function personBody(tag: string) {
  return {
    sex: 'female',
    birthYear: 1990 + (tag.length % 20),
    identity: { names: [{ value: `Aýna ${tag} ${randomUUID().slice(0, 8)}`, kind: 'primary' }] },
  };
}

export interface HttpResult {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: unknown;
  /** Network failure (connection refused or reset: the process is down), not an HTTP answer. */
  networkError?: string;
}

/** One request over loopback with a hard client-side bound; `status` 0 means no HTTP answer. */
export async function request(
  port: number,
  method: 'GET' | 'POST',
  url: string,
  cookie: string,
  body?: unknown,
  timeoutMs = 30_000,
  locale = 'en',
  extraHeaders: Record<string, string> = {},
): Promise<HttpResult> {
  const t0 = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${url}`, {
      method,
      headers: {
        cookie,
        'accept-language': locale,
        origin: `http://127.0.0.1:${port}`,
        'x-halas-request': '1',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return {
      status: res.status,
      ms: performance.now() - t0,
      retryAfter: res.headers.get('retry-after'),
      body: parsed,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return {
      status: 0,
      ms: performance.now() - t0,
      retryAfter: null,
      body: null,
      networkError: cause?.code ?? (error as Error).name,
    };
  }
}
