export { registerAuditRoutes } from './routes.js';
