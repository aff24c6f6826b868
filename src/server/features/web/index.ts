import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves the built single-page application from dist/web: hashed assets are cached for a year, every
 * other path gets index.html (the client router decides), never cached.
 */
export function registerWebRoutes(app: FastifyInstance, deps: AppDeps): void {
  const root = deps.config.webDir;
  const indexPath = path.join(root, 'index.html');
  app.get('/*', { config: { access: { public: true } }, schema: { hide: true } }, async (request, reply) => {
    const urlPath = decodeURIComponent((request.url.split('?')[0] ?? '/').replace(/\+/g, ' '));
    if (urlPath.startsWith('/api/') || urlPath === '/api') throw new AppError('not_found');
    const resolved = path.normalize(path.join(root, urlPath));
    const inside = resolved.startsWith(root + path.sep);
    const ext = path.extname(resolved);
    if (inside && ext && TYPES[ext] && fs.existsSync(resolved) && fs.statSync(resolved).isFile()) {
      const immutable = urlPath.startsWith('/assets/');
      reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.type(TYPES[ext]!).send(fs.createReadStream(resolved));
    }
    if (ext && ext !== '.html') throw new AppError('not_found');
    if (!fs.existsSync(indexPath)) {
      return reply
        .type('text/plain; charset=utf-8')
        .send('The web application is not built. Run `npm run build` (npm install does it for you).');
    }
    reply.header('Cache-Control', 'no-store');
    return reply.type('text/html; charset=utf-8').send(fs.createReadStream(indexPath));
  });
}
