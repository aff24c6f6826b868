import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Permission } from '../../shared/domain/access.js';

/**
 * What a route requires. Every route must declare one; the app refuses to start otherwise.
 * - `public`: anyone, signed in or not;
 * - `pending`: a session whose password was accepted but whose second factor is still due;
 * - `authenticated`: a fully signed-in user;
 * - `permission`: a fully signed-in user holding that permission in some scope (the service then narrows
 *   the records to that scope).
 */
export type AccessRule =
  | { public: true }
  | { pending: true }
  | { authenticated: true }
  | { permission: Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
    /** Step-up: the user must have re-authenticated within this many seconds. */
    recentAuthSeconds?: number;
    /**
     * G33, for every POST that creates a record: the `Idempotency-Key` header is accepted (`optional`) or
     * demanded (`required`); a replay gets the stored answer. Handled by platform/idempotency.ts.
     */
    idempotent?: 'optional' | 'required';
    /**
     * G34: `read` sends `ETag: "<version>"` from the answer's `version`; `update` also demands `If-Match`
     * (428 without it) and hands the version to the handler as `request.expectedVersion`.
     */
    etag?: 'read' | 'update';
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: AccessRule;
  recentAuthSeconds?: number;
  hasBody: boolean;
  idempotent?: 'optional' | 'required';
  etag?: 'read' | 'update';
  /** Whether the route answers 201 Created (a record-creating route must declare `idempotent`). */
  creates: boolean;
}

/** Collects every route as it is registered, and fails start-up for a route without an access rule. */
export function trackRoutes(app: FastifyInstance): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  const undeclared: string[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access = route.config?.access;
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      if (!access) {
        undeclared.push(`${method} ${route.url}`);
        continue;
      }
      routes.push({
        method,
        url: route.url,
        access,
        recentAuthSeconds: route.config?.recentAuthSeconds,
        hasBody: Boolean(route.schema?.body),
        idempotent: route.config?.idempotent,
        etag: route.config?.etag,
        creates: Boolean((route.schema?.response as Record<string, unknown> | undefined)?.[201]),
      });
    }
  });
  app.addHook('onReady', async () => {
    if (undeclared.length > 0)
      throw new Error(`Routes without an access declaration (deny by default): ${undeclared.join(', ')}`);
  });
  return routes;
}
