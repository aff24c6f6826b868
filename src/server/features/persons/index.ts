export { registerErasureRoutes } from './erasure-routes.js';
export { CLASS_COLUMN } from './repo.js';
export { registerOversightRoutes, registerPersonRoutes } from './routes.js';
