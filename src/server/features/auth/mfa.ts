import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_PERIOD = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = 'user'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Halas',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

export async function enrolmentMaterial(secretBase32: string, username: string) {
  const otpauthUri = totp(secretBase32, username).toString();
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret: secretBase32, otpauthUri, qrSvg };
}

/**
 * Checks a 6-digit code at ±1 time step on the server clock. Returns the matched time step, or null; the
 * caller refuses a step that is not newer than the last accepted one (a code is usable once).
 */
export function matchTotp(secretBase32: string, code: string, now: Date): number | null {
  const delta = totp(secretBase32).validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD) + delta;
}

/** Only tests and the demo need to produce codes. */
export function generateTotp(secretBase32: string, now: Date): string {
  return totp(secretBase32).generate({ timestamp: now.getTime() });
}

/** Ten recovery codes of 128 random bits each, shown once; only their SHA-256 is stored. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () => {
    const raw = new OTPAuth.Secret({ buffer: randomBytes(16).buffer }).base32.slice(0, 26);
    return raw.match(/.{1,5}/g)!.join('-');
  });
}

export function hashRecoveryCode(code: string): Buffer {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toUpperCase(), 'utf8').digest();
}
