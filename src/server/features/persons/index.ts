export { registerErasureRoutes } from './erasure-routes.js';
export { registerOversightRoutes, registerPersonRoutes } from './routes.js';
