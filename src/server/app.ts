import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config/index.js';
import type { Database } from './db/index.js';
import { registerAgencyRoutes } from './features/agencies/index.js';
import { registerAuditRoutes } from './features/audit/index.js';
import { registerAuthRoutes } from './features/auth/index.js';
import { registerExportRoutes } from './features/exports/index.js';
import {
  registerErasureRoutes,
  registerOversightRoutes,
  registerPersonRoutes,
} from './features/persons/index.js';
import { registerStatisticsRoutes } from './features/statistics/index.js';
import { registerSystemRoutes } from './features/system/index.js';
import { registerUserRoutes } from './features/users/index.js';
import { registerWebRoutes } from './features/web/index.js';
import type { Keyring } from './platform/crypto/index.js';
import {
  answerFrameworkError,
  newRequestId,
  registerPlatform,
  zodValidatorCompiler,
} from './platform/http.js';
import { logRedaction } from './platform/logging.js';
import { type DeclaredRoute, trackRoutes } from './platform/routes.js';
import type { Secrets } from './platform/secrets.js';
import { registerPressure } from './platform/unavailable.js';

export interface AppDeps {
  config: Config;
  db: Database;
  secrets: Secrets;
  /** Master keys wrapping per-person data keys, and the blind-index key (platform/crypto). */
  keyring: Keyring;
  /** The clock every service reads (tests move it). */
  clock: () => Date;
  /** Where log lines go (standard output when absent). */
  logStream?: NodeJS.WritableStream;
}

export type App = FastifyInstance & { declaredRoutes: DeclaredRoute[] };

/** Builds the application without listening: tests inject requests, main.ts listens. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      redact: logRedaction,
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    genReqId: newRequestId,
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: (error, request, reply) => answerFrameworkError(deps, error, request, reply),
  }).withTypeProvider<ZodTypeProvider>();
  const declaredRoutes = trackRoutes(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Halas API',
        version: deps.config.version,
        description:
          'National Referral Mechanism information system. Every non-GET request needs X-Halas-Request: 1.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'halas_session' } } },
    },
    transform: jsonSchemaTransform,
  });
  await registerPressure(app, deps.config); // before the platform's hooks: an overloaded process skips the database
  registerPlatform(app, deps);
  await app.register(
    async (api) => {
      registerSystemRoutes(api, deps);
      registerAuthRoutes(api, deps);
      registerAgencyRoutes(api, deps);
      registerUserRoutes(api, deps);
      registerAuditRoutes(api, deps);
      registerPersonRoutes(api, deps);
      registerOversightRoutes(api, deps);
      registerErasureRoutes(api, deps);
      registerExportRoutes(api, deps);
      registerStatisticsRoutes(api, deps);
    },
    { prefix: '/api' },
  );
  registerWebRoutes(app, deps);
  await app.ready();
  return Object.assign(app, { declaredRoutes }) as unknown as App;
}
