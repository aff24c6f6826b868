import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  offersSecurityKeys,
  type SecurityKeyView,
  type WebAuthnAuthenticationResponse,
  WebAuthnCreationOptions,
  type WebAuthnRegistrationResponse,
  WebAuthnRequestOptions,
} from '../../../shared/contracts/auth.js';
import type { AppDeps } from '../../app.js';
import type { Config } from '../../config/index.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, RequestContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { type Tx, withTx } from '../../platform/tx.js';
import { signInWithSecondFactor } from './service.js';

/**
 * Security keys and passkeys (WebAuthn) as a second factor, offered to administrators (ADR 6, G10).
 * The relying party is the host the request was sent to; a challenge lives in the session row for five
 * minutes and is used once, whatever the outcome. Only the public key, the credential id, the signature
 * counter and the transports are stored: no attestation, no authenticator model.
 */

const RP_NAME = 'Halas';
export const CHALLENGE_SECONDS = 300;
/** How long the browser waits for the user to touch the key (less than the challenge's life). */
const CEREMONY_TIMEOUT_MS = 120_000;
/** EdDSA, ES256, RS256: what security keys and platform authenticators use. */
const ALGORITHMS = [-8, -7, -257];
const TRANSPORTS: ReadonlySet<string> = new Set([
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
]);

export interface RelyingParty {
  /** The RP ID: the request's host name. */
  id: string;
  /** The page origin the ceremony must have run on. */
  origin: string;
}

/**
 * The relying party of a request: the host name it was sent to, and the origin of the page that sent it
 * (the `Origin` header, which must name that same host; the CSRF guard has checked it already for writes).
 * Null when the two disagree or, under TLS, when the page was not served over https.
 */
export function relyingParty(request: FastifyRequest, config: Config): RelyingParty | null {
  const host = request.host.toLowerCase();
  let origin = `${request.protocol}://${host}`;
  const header = request.headers.origin;
  if (header) {
    try {
      const url = new URL(header);
      if (url.host.toLowerCase() !== host) return null;
      origin = url.origin;
    } catch {
      return null;
    }
  }
  if (config.tls && !origin.startsWith('https://')) return null;
  return { id: request.hostname.toLowerCase(), origin };
}

export function assertMayRegister(actor: Actor): void {
  if (!offersSecurityKeys(actor.memberships)) throw new AppError('forbidden');
}

type Purpose = 'create' | 'get';

async function storeChallenge(
  tx: Tx,
  sessionId: string,
  purpose: Purpose,
  challenge: string,
  now: Date,
): Promise<void> {
  await tx.query(
    'UPDATE sessions SET webauthn_challenge = $2, webauthn_challenge_expires_at = $3 WHERE id = $1',
    [sessionId, `${purpose}:${challenge}`, new Date(now.getTime() + CHALLENGE_SECONDS * 1000)],
  );
}

/**
 * Takes the session's pending challenge for this purpose. Single use: it is cleared whatever happens next,
 * so a response can be tried once; null when there is none, it has expired, or it was issued for the other
 * ceremony.
 */
async function takeChallenge(tx: Tx, sessionId: string, purpose: Purpose, now: Date): Promise<string | null> {
  const { rows } = await tx.query<{ challenge: string | null; expires_at: Date | null }>(
    `UPDATE sessions s SET webauthn_challenge = NULL, webauthn_challenge_expires_at = NULL
       FROM (SELECT id, webauthn_challenge, webauthn_challenge_expires_at FROM sessions WHERE id = $1 FOR UPDATE) old
      WHERE s.id = old.id
     RETURNING old.webauthn_challenge AS challenge, old.webauthn_challenge_expires_at AS expires_at`,
    [sessionId],
  );
  const row = rows[0];
  if (!row?.challenge || !row.expires_at || row.expires_at <= now) return null;
  const prefix = `${purpose}:`;
  return row.challenge.startsWith(prefix) ? row.challenge.slice(prefix.length) : null;
}

interface CredentialRow {
  id: string;
  credential_id: string;
  public_key: Buffer;
  counter: string | number;
  transports: string[];
  label: string;
  created_at: Date;
  last_used_at: Date | null;
}

const knownTransports = (list: readonly string[] | undefined): string[] =>
  (list ?? []).filter((t) => TRANSPORTS.has(t));

function uuidBytes(uuid: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

function view(row: Pick<CredentialRow, 'id' | 'label' | 'created_at' | 'last_used_at'>) {
  return {
    id: row.id,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  } satisfies z.infer<typeof SecurityKeyView>;
}

function failureReason(ctx: RequestContext, ceremony: string, error: unknown): void {
  // The library's message names the check that failed (origin, RP ID, counter, signature): no personal data.
  ctx.log.debug({ ceremony, reason: error instanceof Error ? error.message : 'not verified' }, 'webauthn');
}

/** The signed-in user's own security keys. */
export async function listKeys(deps: AppDeps, actor: Actor): Promise<z.infer<typeof SecurityKeyView>[]> {
  const { rows } = await withTx(
    deps.db.pool,
    actor,
    (tx) =>
      tx.query<CredentialRow>(
        `SELECT id, label, created_at, last_used_at FROM webauthn_credentials WHERE user_id = $1
          ORDER BY created_at, id`,
        [actor.userId],
      ),
    { readOnly: true },
  );
  return rows.map(view);
}

/** Registration, step 1: options for `navigator.credentials.create()`, with a fresh challenge. */
export async function registrationOptions(
  deps: AppDeps,
  ctx: RequestContext,
  actor: Actor,
  rp: RelyingParty | null,
): Promise<z.infer<typeof WebAuthnCreationOptions>> {
  assertMayRegister(actor);
  if (!rp) throw new AppError('forbidden');
  return withTx(deps.db.pool, actor, async (tx) => {
    const { rows } = await tx.query<Pick<CredentialRow, 'credential_id' | 'transports'>>(
      'SELECT credential_id, transports FROM webauthn_credentials WHERE user_id = $1',
      [actor.userId],
    );
    const options = await generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: rp.id,
      userName: actor.username,
      userDisplayName: actor.displayName,
      userID: uuidBytes(actor.userId),
      attestationType: 'none',
      excludeCredentials: rows.map((r) => ({
        id: r.credential_id,
        transports: knownTransports(r.transports),
      })),
      // A second factor after the password: no discoverable credential needed; a PIN or fingerprint is
      // welcome but not required (user presence is).
      authenticatorSelection: { residentKey: 'discouraged', userVerification: 'preferred' },
      supportedAlgorithmIDs: ALGORITHMS,
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await storeChallenge(tx, actor.sessionId, 'create', options.challenge, ctx.now());
    return WebAuthnCreationOptions.parse(options);
  });
}

/** Registration, step 2: verifies the browser's answer against the session's challenge and stores the key. */
export async function registerKey(
  deps: AppDeps,
  ctx: RequestContext,
  actor: Actor,
  rp: RelyingParty | null,
  label: string,
  response: z.infer<typeof WebAuthnRegistrationResponse>,
): Promise<z.infer<typeof SecurityKeyView>> {
  assertMayRegister(actor);
  const now = ctx.now();
  const created = await withTx(deps.db.pool, actor, async (tx) => {
    const challenge = await takeChallenge(tx, actor.sessionId, 'create', now);
    let row: CredentialRow | undefined;
    if (challenge && rp) {
      try {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
          supportedAlgorithmIDs: ALGORITHMS,
        });
        if (result.verified) {
          const { credential } = result.registrationInfo;
          const inserted = await tx.query<CredentialRow>(
            `INSERT INTO webauthn_credentials (user_id, credential_id, public_key, counter, transports, label, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (credential_id) DO NOTHING
             RETURNING id, label, created_at, last_used_at`,
            [
              actor.userId,
              credential.id,
              Buffer.from(credential.publicKey),
              credential.counter,
              knownTransports(response.response.transports),
              label,
              now,
            ],
          );
          row = inserted.rows[0];
        } else failureReason(ctx, 'create', null);
      } catch (error) {
        failureReason(ctx, 'create', error);
      }
    }
    await writeAudit(tx, ctx, {
      action: 'auth.webauthn_register',
      outcome: row ? 'success' : 'failure',
      entityType: row ? 'webauthn_credential' : 'user',
      entityId: row ? row.id : actor.userId,
      fields: row ? ['credential_id', 'public_key', 'counter', 'transports', 'label'] : [],
    });
    return row;
  });
  if (!created) throw new AppError('mfa_invalid');
  return view(created);
}

/** Removes one of the signed-in user's own keys (the route demands a recent step-up). */
export async function removeKey(deps: AppDeps, ctx: RequestContext, actor: Actor, id: string): Promise<void> {
  const removed = await withTx(deps.db.pool, actor, async (tx) => {
    const { rowCount } = await tx.query('DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2', [
      id,
      actor.userId,
    ]);
    if (rowCount)
      await writeAudit(tx, ctx, {
        action: 'auth.webauthn_remove',
        entityType: 'webauthn_credential',
        entityId: id,
        fields: ['credential_id', 'public_key', 'counter', 'transports', 'label'],
      });
    return rowCount;
  });
  if (!removed) throw new AppError('not_found');
}

/**
 * Sign-in, step 1 (pending session): options for `navigator.credentials.get()` listing the user's keys,
 * with a fresh challenge; null when the user has no key (nothing is stored then).
 */
export async function signInOptions(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  rp: RelyingParty | null,
): Promise<z.infer<typeof WebAuthnRequestOptions> | null> {
  return withTx(deps.db.pool, null, async (tx) => {
    const { rows } = await tx.query<Pick<CredentialRow, 'credential_id' | 'transports'>>(
      'SELECT credential_id, transports FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id',
      [userId],
    );
    if (rows.length === 0 || !rp) return null;
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      allowCredentials: rows.map((r) => ({ id: r.credential_id, transports: knownTransports(r.transports) })),
      userVerification: 'preferred',
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await storeChallenge(tx, sessionId, 'get', options.challenge, ctx.now());
    return WebAuthnRequestOptions.parse(options);
  });
}

/**
 * Sign-in, step 2 (pending session): verifies an assertion with one of the user's own keys and completes
 * sign-in like a TOTP code does (same limiter, audited as `auth.webauthn`, new token). An unknown key,
 * another user's key, a used or expired challenge, a wrong origin or RP ID, a bad signature and a
 * signature counter that did not move forward all count as one failed attempt.
 */
export function signInWithKey(
  deps: AppDeps,
  ctx: RequestContext,
  userId: string,
  sessionId: string,
  rp: RelyingParty | null,
  response: z.infer<typeof WebAuthnAuthenticationResponse>,
): Promise<string> {
  const now = ctx.now();
  return signInWithSecondFactor(deps, ctx, userId, sessionId, 'auth.webauthn', async (tx) => {
    const challenge = await takeChallenge(tx, sessionId, 'get', now);
    if (!challenge || !rp) return false;
    const { rows } = await tx.query<CredentialRow>(
      `SELECT id, credential_id, public_key, counter, transports FROM webauthn_credentials
        WHERE credential_id = $1 AND user_id = $2 FOR UPDATE`,
      [response.id, userId],
    );
    const stored = rows[0];
    if (!stored) return false;
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: {
          id: stored.credential_id,
          publicKey: new Uint8Array(stored.public_key),
          counter: Number(stored.counter),
          transports: knownTransports(stored.transports),
        },
        requireUserVerification: false,
      });
      if (!result.verified) {
        failureReason(ctx, 'get', null);
        return false;
      }
      await tx.query('UPDATE webauthn_credentials SET counter = $2, last_used_at = $3 WHERE id = $1', [
        stored.id,
        result.authenticationInfo.newCounter,
        now,
      ]);
      return true;
    } catch (error) {
      failureReason(ctx, 'get', error);
      return false;
    }
  });
}
