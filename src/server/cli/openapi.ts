import { randomBytes } from 'node:crypto';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { keyringForTests } from '../platform/crypto/index.js';
import { secretsFromKey } from '../platform/secrets.js';

/** The OpenAPI document as the running application serves it, formatted for a stable, reviewable diff. */
export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', HALAS_API_DOCS: 'true' });
  const db = await openDatabase(config, { inMemory: true });
  const app = await buildApp({
    config: { ...config, version: '0.0.0' },
    db,
    secrets: secretsFromKey(randomBytes(32)),
    keyring: keyringForTests(),
    clock: () => new Date(),
  });
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await db.close();
  }
}
