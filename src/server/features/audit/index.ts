import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';

export function registerAuditRoutes(_app: FastifyInstance, _deps: AppDeps): void {}
