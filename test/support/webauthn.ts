import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A small software authenticator (a "security key" in memory) for tests: EC P-256 keys from node:crypto,
 * authenticator data and client data built by hand, attestation format 'none' in CBOR, ES256 assertion
 * signatures. It does what a browser and a key do together, and lets a test break one thing at a time
 * (origin, counter, challenge, RP ID, signature).
 */

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  rpId: string;
  counter: number;
}

export interface CreationOptionsLike {
  challenge: string;
  rp: { id?: string };
  excludeCredentials?: { id: string }[];
}

export interface RequestOptionsLike {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export interface Tweaks {
  /** The origin written into clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** The RP ID hashed into authenticator data (default: the options' RP ID). */
  rpId?: string;
  /** Signature counter to report (default: the stored counter plus one). */
  counter?: number;
  /** The challenge to sign (default: the options' challenge). */
  challenge?: string;
  /** User verified flag (default: true). */
  userVerified?: boolean;
  /** clientDataJSON type (default: webauthn.create / webauthn.get). */
  type?: string;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** The credential public key as a COSE_Key map (EC2, ES256, P-256). */
function coseKey(privateKey: KeyObject): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(x)],
      [-3, new Uint8Array(y)],
    ]),
  );
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(readonly origin = 'http://localhost') {}

  /** What `navigator.credentials.create()` returns, as JSON. Registers a new key pair. */
  create(options: CreationOptionsLike, tweaks: Tweaks = {}) {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const id = randomBytes(32);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: SoftCredential = { id, privateKey, rpId, counter: tweaks.counter ?? 0 };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const flags = FLAG_UP | FLAG_AT | (tweaks.userVerified === false ? 0 : FLAG_UV);
    const authData = Buffer.concat([
      sha256(tweaks.rpId ?? rpId),
      Buffer.from([flags]),
      u32(credential.counter),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      id,
      Buffer.from(coseKey(privateKey)),
    ]);
    const attestation = new Map<string, string | Uint8Array | Map<string, string>>();
    attestation.set('fmt', 'none');
    attestation.set('attStmt', new Map());
    attestation.set('authData', new Uint8Array(authData));
    const attestationObject = isoCBOR.encode(attestation);
    this.credentials.push(credential);
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(
          clientData(
            tweaks.type ?? 'webauthn.create',
            tweaks.challenge ?? options.challenge,
            tweaks.origin ?? this.origin,
          ),
        ),
        attestationObject: b64url(attestationObject),
        transports: ['usb'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform' as const,
    };
  }

  /**
   * What `navigator.credentials.get()` returns, as JSON: an assertion by the first allowed credential this
   * authenticator holds (or by `credential`), with the counter moved forward unless a tweak says otherwise.
   */
  get(options: RequestOptionsLike, tweaks: Tweaks = {}, credential?: SoftCredential) {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const cred = credential ?? this.credentials.find((c) => allowed.size === 0 || allowed.has(b64url(c.id)));
    if (!cred) throw new Error('no matching credential on this authenticator');
    const counter = tweaks.counter ?? cred.counter + 1;
    cred.counter = Math.max(cred.counter, counter);
    const flags = FLAG_UP | (tweaks.userVerified === false ? 0 : FLAG_UV);
    const authData = Buffer.concat([
      sha256(tweaks.rpId ?? options.rpId ?? cred.rpId),
      Buffer.from([flags]),
      u32(counter),
    ]);
    const cdj = clientData(
      tweaks.type ?? 'webauthn.get',
      tweaks.challenge ?? options.challenge,
      tweaks.origin ?? this.origin,
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(cdj)]), cred.privateKey);
    return {
      id: b64url(cred.id),
      rawId: b64url(cred.id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(cdj),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform' as const,
    };
  }
}
