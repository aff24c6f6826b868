import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nonceOf } from '../../src/server/platform/crypto/envelope.js';
import {
  CryptoError,
  KekNotLoadedError,
  keyringForTests,
  keyringFromKeys,
  openField,
  sealField,
} from '../../src/server/platform/crypto/index.js';

const TURKMEN = 'Aýgözel Öwezmyradowa, Ňurmuhammet Şükürowiç, Žanna Çaryýewa, Ülker Äşirowa';
const CYRILLIC = 'Айгозель Овезмурадова, Нурмухаммет Шукурович; Ёлкин Щукин Ъ ы Э ю я';

describe('field envelopes (G20)', () => {
  it('round-trips Unicode values (Turkmen Latin, Cyrillic, emoji, control characters)', () => {
    const dek = randomBytes(32);
    const id = randomUUID();
    const value = {
      names: [TURKMEN, CYRILLIC],
      note: 'line one\nline two\t\u0000 end 🏠',
      birthDate: '2001-02-03',
      n: 42,
      nested: { ok: true, none: null },
    };
    expect(openField(dek, id, 'identity_enc', sealField(dek, id, 'identity_enc', value))).toEqual(value);
    expect(openField(dek, id, 'contact_enc', sealField(dek, id, 'contact_enc', TURKMEN))).toBe(TURKMEN);
    expect(openField(dek, id.toUpperCase(), 'c', sealField(dek, id, 'c', CYRILLIC))).toBe(CYRILLIC);
  });

  it('uses a unique 96-bit nonce for each of 100,000 encryptions', () => {
    const dek = randomBytes(32);
    const id = randomUUID();
    const nonces = new Set<string>();
    for (let i = 0; i < 100_000; i++)
      nonces.add(nonceOf(sealField(dek, id, 'identity_enc', i)).toString('hex'));
    expect(nonces.size).toBe(100_000);
  });

  it('ciphertexts moved to another person or column open 0 times', () => {
    const dekA = randomBytes(32);
    const dekB = randomBytes(32);
    const a = randomUUID();
    const b = randomUUID();
    const sealed = {
      aIdentity: sealField(dekA, a, 'identity_enc', 'A identity'),
      aContact: sealField(dekA, a, 'contact_enc', 'A contact'),
      bIdentity: sealField(dekB, b, 'identity_enc', 'B identity'),
    };
    const attempts: [Buffer, string, string, Buffer][] = [
      [dekA, a, 'contact_enc', sealed.aIdentity], // column swap, same person and key
      [dekA, a, 'identity_enc', sealed.aContact],
      [dekA, b, 'identity_enc', sealed.aIdentity], // row swap: same key (a key row swapped along with it)
      [dekB, b, 'identity_enc', sealed.aIdentity], // row swap: the other person's key
      [dekA, a, 'identity_enc', sealed.bIdentity],
    ];
    let opened = 0;
    for (const [dek, id, column, bytes] of attempts) {
      try {
        openField(dek, id, column, bytes);
        opened++;
      } catch (error) {
        expect(error).toBeInstanceOf(CryptoError);
      }
    }
    expect(opened).toBe(0);
  });

  it('detects any altered byte, truncation or unknown version', () => {
    const dek = randomBytes(32);
    const id = randomUUID();
    const sealed = sealField(dek, id, 'identity_enc', { name: TURKMEN });
    for (let i = 0; i < sealed.length; i++) {
      const altered = Buffer.from(sealed);
      altered[i]! ^= 0x01;
      expect(() => openField(dek, id, 'identity_enc', altered)).toThrow(CryptoError);
    }
    expect(() => openField(dek, id, 'identity_enc', sealed.subarray(0, 28))).toThrow(CryptoError);
    expect(() => openField(dek, id, 'identity_enc', Buffer.alloc(0))).toThrow(CryptoError);
    expect(() => openField(randomBytes(32), id, 'identity_enc', sealed)).toThrow(CryptoError);
  });

  it('rejects values that are not JSON and keys that are not 32 bytes', () => {
    expect(() => sealField(randomBytes(32), randomUUID(), 'c', undefined)).toThrow(TypeError);
    expect(() => sealField(randomBytes(16), randomUUID(), 'c', 'x')).toThrow(/32 bytes/);
  });

  it('holds no plaintext: the sealed bytes never contain the value', () => {
    const dek = randomBytes(32);
    const sealed = sealField(dek, randomUUID(), 'identity_enc', 'CanaryZz9Qx');
    expect(sealed.includes(Buffer.from('CanaryZz9Qx'))).toBe(false);
  });
});

describe('keyring', () => {
  it('wraps under the active master key and unwraps under any loaded one', () => {
    const old = randomBytes(32);
    const next = randomBytes(32);
    const blind = randomBytes(32);
    const before = keyringFromKeys({ keks: [['k1', old]], activeKekId: 'k1', blindIndexKey: blind });
    const during = keyringFromKeys({
      keks: [
        ['k1', old],
        ['k2', next],
      ],
      activeKekId: 'k2',
      blindIndexKey: blind,
    });
    const after = keyringFromKeys({ keks: [['k2', next]], activeKekId: 'k2', blindIndexKey: blind });
    const dek = randomBytes(32);
    const w1 = before.wrap(dek);
    expect(w1.kekId).toBe('k1');
    expect(during.unwrap('k1', w1.wrapped)).toEqual(dek);
    const w2 = during.wrap(dek);
    expect(w2.kekId).toBe('k2');
    expect(after.unwrap('k2', w2.wrapped)).toEqual(dek);
    expect(() => after.unwrap('k1', w1.wrapped)).toThrow(KekNotLoadedError);
    // a wrapped key relabelled with another master key's id does not open
    expect(() => during.unwrap('k2', w1.wrapped)).toThrow(CryptoError);
    expect(during.kekIds).toEqual(['k1', 'k2']);
    expect(during.hasKek('k1')).toBe(true);
    expect(after.hasKek('k1')).toBe(false);
  });

  it('refuses an active key that is not loaded, duplicate ids with different keys, and a shared blind key', () => {
    const k = randomBytes(32);
    expect(() =>
      keyringFromKeys({ keks: [['a', k]], activeKekId: 'b', blindIndexKey: randomBytes(32) }),
    ).toThrow(/not loaded/);
    expect(() =>
      keyringFromKeys({
        keks: [
          ['a', k],
          ['a', randomBytes(32)],
        ],
        activeKekId: 'a',
        blindIndexKey: randomBytes(32),
      }),
    ).toThrow(/two different/);
    expect(() => keyringFromKeys({ keks: [['a', k]], activeKekId: 'a', blindIndexKey: k })).toThrow(/differ/);
    expect(() =>
      keyringFromKeys({
        keks: [['blind-index', k]],
        activeKekId: 'blind-index',
        blindIndexKey: randomBytes(32),
      }),
    ).toThrow(/not a valid/);
  });

  it('computes the blind index as HMAC-SHA256 under the blind-index key', () => {
    const blind = randomBytes(32);
    const keyring = keyringFromKeys({
      keks: [['a', randomBytes(32)]],
      activeKekId: 'a',
      blindIndexKey: blind,
    });
    const expected = createHmac('sha256', blind).update('öwezmyradowa', 'utf8').digest();
    expect(keyring.blindIndex('öwezmyradowa')).toEqual(expected);
    expect(keyring.blindIndex('öwezmyradowa')).toEqual(keyring.blindIndex('öwezmyradowa'));
    expect(keyring.blindIndex('öwezmyradowa')).not.toEqual(keyringForTests().blindIndex('öwezmyradowa'));
    expect(keyring.blindIndex('a')).toHaveLength(32);
  });

  it('never shows key bytes when printed or serialised', () => {
    const kek = randomBytes(32);
    const blind = randomBytes(32);
    const keyring = keyringFromKeys({ keks: [['a', kek]], activeKekId: 'a', blindIndexKey: blind });
    const shown = `${JSON.stringify(keyring)} ${inspect(keyring, { showHidden: true, depth: 10 })} ${String(Object.values(keyring))}`;
    for (const key of [kek, blind])
      for (const encoding of ['hex', 'base64'] as const) expect(shown).not.toContain(key.toString(encoding));
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({ activeKekId: 'a', kekIds: ['a'] });
  });
});
