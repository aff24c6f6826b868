import fs from 'node:fs';
import path from 'node:path';
import { verifyAuditChain } from '../platform/audit.js';
import { loadCheckpointKey, verifyCheckpoints } from '../platform/audit-checkpoint.js';
import { cliFail, openForCli } from './shared.js';

/** `npm run audit:verify`: recomputes the audit hash chain and reports the first broken link. */
const { db, config } = await openForCli().catch((error: Error) =>
  cliFail(`Cannot open the database: ${error.message}`),
);
try {
  const result = await verifyAuditChain(db.pool);
  const keyFile = path.join(config.dataDir, 'audit', 'checkpoint-signing.pem');
  const checkpoints = fs.existsSync(keyFile)
    ? await verifyCheckpoints(
        db.pool,
        path.join(config.dataDir, 'audit', 'checkpoints.jsonl'),
        loadCheckpointKey(keyFile),
      )
    : { ok: true, checked: 0 };
  if (!checkpoints.ok) {
    console.error(
      `Audit chain does NOT match its signed checkpoint at event ${checkpoints.firstBroken!.seq}: ${checkpoints.firstBroken!.reason}.`,
    );
    process.exitCode = 2;
  } else if (result.ok) {
    console.info(
      `Audit chain verified: ${result.checked} events, no broken link; ${checkpoints.checked} signed checkpoints match.`,
    );
  } else {
    console.error(
      `Audit chain BROKEN at event ${result.firstBroken!.seq}: ${result.firstBroken!.reason} (${result.checked} events verified before it).`,
    );
    process.exitCode = 2;
  }
} finally {
  await db.close();
}
