// Runs before `npm start`: builds the application when dist/ is missing (npm install normally built it).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/server/main.js') || !existsSync('dist/web/index.html')) {
  console.info('Building Halas (first start)…');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
