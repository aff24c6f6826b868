/**
 * The bench's server process: the Halas application (buildApp, as `npm start` builds it) on one loopback
 * port and, on another, a bare Fastify route doing the G1 read's SELECT through the very same `pg` pool — so
 * the two arms of G1 differ only by the stack, not by the pool, the engine or the process.
 *
 * Configuration comes from the environment like the product's (DATABASE_URL or HALAS_DATA_DIR, keys);
 * the database must already be migrated and filled (bench/support/fixture.ts). Prints one JSON line
 * `{"ready":true,"app":<port>,"bare":<port>}` and stops on SIGTERM.
 *
 *   node --import tsx bench/server/child.ts
 */
import Fastify from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/index.js';
import { openDatabase } from '../../src/server/db/index.js';
import { loadKeyring } from '../../src/server/platform/crypto/index.js';
import { loadSecrets } from '../../src/server/platform/secrets.js';
import { BARE_SQL } from './sql.js';

const config = loadConfig();
const db = await openDatabase(config);
const secrets = loadSecrets({
  base64: config.secretKeyBase64,
  file: config.secretKeyFile,
  dataDir: config.dataDir,
});
const keyring = loadKeyring(config);
const app = await buildApp({ config, db, secrets, keyring, clock: () => new Date() });
const appAddress = await app.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify({ logger: false });
bare.get<{ Params: { id: string } }>('/persons/:id', async (request, reply) => {
  const { rows } = await db.pool.query(BARE_SQL, [request.params.id]);
  const row = rows[0];
  if (!row) return reply.code(404).send({ code: 'not_found' });
  return {
    ...row,
    identity_enc: row.identity_enc?.toString('base64') ?? null,
    wrapped_dek: row.wrapped_dek.toString('base64'),
  };
});
const bareAddress = await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (address: string) => Number(new URL(address).port);
process.stdout.write(`${JSON.stringify({ ready: true, app: port(appAddress), bare: port(bareAddress) })}\n`);

const shutdown = async () => {
  await bare.close().catch(() => {});
  await app.close().catch(() => {});
  await db.close().catch(() => {});
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
