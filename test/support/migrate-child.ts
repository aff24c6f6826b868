// Runs the migrations against DATABASE_URL (or HALAS_DATA_DIR) and exits: a child the kill tests can kill.
import { loadConfig } from '../../src/server/config/index.js';
import { openDatabase, runMigrations } from '../../src/server/db/index.js';

const config = loadConfig();
const db = await openDatabase(config);
await runMigrations(db, config.migrationsDir);
await db.close();
