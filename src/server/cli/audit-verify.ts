import { verifyAuditChain } from '../platform/audit.js';
import { cliFail, openForCli } from './shared.js';

/** `npm run audit:verify`: recomputes the audit hash chain and reports the first broken link. */
const { db } = await openForCli().catch((error: Error) =>
  cliFail(`Cannot open the database: ${error.message}`),
);
try {
  const result = await verifyAuditChain(db.pool);
  if (result.ok) {
    console.info(`Audit chain verified: ${result.checked} events, no broken link.`);
  } else {
    console.error(
      `Audit chain BROKEN at event ${result.firstBroken!.seq}: ${result.firstBroken!.reason} (${result.checked} events verified before it).`,
    );
    process.exitCode = 2;
  }
} finally {
  await db.close();
}
