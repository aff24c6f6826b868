import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Meta } from '../../../shared/contracts/auth.js';
import { ErrorBody } from '../../../shared/contracts/errors.js';
import { DEFAULT_LOCALE, LOCALES } from '../../../shared/domain/locales.js';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';

/** Liveness, readiness, public instance facts and the OpenAPI document. */
export function registerSystemRoutes(app: FastifyInstance, deps: AppDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/health',
    {
      config: { access: { public: true } },
      schema: { tags: ['system'], response: { 200: z.strictObject({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  api.get(
    '/ready',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['system'],
        response: { 200: z.strictObject({ status: z.literal('ready'), engine: z.string() }), 503: ErrorBody },
      },
    },
    async () => {
      try {
        await Promise.race([
          deps.db.pool.query('SELECT 1'),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
        ]);
      } catch {
        throw new AppError('service_unavailable', undefined, { 'Retry-After': '5' });
      }
      return { status: 'ready' as const, engine: deps.db.engine };
    },
  );
  api.get(
    '/meta',
    { config: { access: { public: true } }, schema: { tags: ['system'], response: { 200: Meta } } },
    async () => ({
      demo: deps.config.demo,
      version: deps.config.version,
      locales: [...LOCALES],
      defaultLocale: DEFAULT_LOCALE,
    }),
  );
  if (deps.config.apiDocs) {
    api.get('/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () =>
      app.swagger(),
    );
  }
}
