import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';

/** The kinds of file the application is built into; nothing else is ever served from the folder. */
const SERVED = new Set(['.js', '.css', '.svg', '.png', '.ico', '.woff2', '.json', '.txt', '.webmanifest']);

/** Caching is decided by the route (no Cache-Control or Last-Modified from @fastify/send); the type by @fastify/send. */
const STATIC_OPTIONS = {
  preCompressed: true,
  cacheControl: false,
  lastModified: false,
  dotfiles: 'deny' as const,
};

/**
 * Serves the built single-page application from dist/web: hashed assets are cached for a year, every
 * other path gets index.html (the client router decides), never cached.
 */
export function registerWebRoutes(app: FastifyInstance, deps: AppDeps): void {
  const root = deps.config.webDir;
  // only the reply.sendFile decorator: the route below decides what may be served
  app.register(fastifyStatic, { root, serve: false, preCompressed: true });
  const indexPath = path.join(root, 'index.html');
  app.get('/*', { config: { access: { public: true } }, schema: { hide: true } }, async (request, reply) => {
    const urlPath = decodeURIComponent((request.url.split('?')[0] ?? '/').replace(/\+/g, ' '));
    if (urlPath.startsWith('/api/') || urlPath === '/api') throw new AppError('not_found');
    const resolved = path.normalize(path.join(root, urlPath));
    const inside = resolved.startsWith(root + path.sep);
    const ext = path.extname(resolved);
    if (inside && ext && SERVED.has(ext) && fs.existsSync(resolved) && fs.statSync(resolved).isFile()) {
      const immutable = urlPath.startsWith('/assets/');
      reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      // the Brotli or gzip copy written by the build when the browser accepts it (Vary: Accept-Encoding)
      return reply.sendFile(path.relative(root, resolved), root, STATIC_OPTIONS);
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
