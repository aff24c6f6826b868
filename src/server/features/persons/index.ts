export { registerErasureRoutes } from './erasure-routes.js';
export { CLASS_COLUMN, disclosureBases } from './repo.js';
export { registerOversightRoutes, registerPersonRoutes } from './routes.js';
