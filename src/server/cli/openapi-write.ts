import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/index.js';
import { generateOpenApi } from './openapi.js';

/** `npm run openapi:write`: regenerates the committed openapi.json from the route schemas. */
const doc = await generateOpenApi();
fs.writeFileSync(path.join(projectRoot, 'openapi.json'), doc);
console.info('openapi.json written.');
