export { registerUserRoutes } from './routes.js';
export { applyUserPatch, createUserRecord } from './service.js';
