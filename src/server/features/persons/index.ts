export { giveConsent, withdrawConsent } from './consent.js';
export { registerErasureRoutes } from './erasure-routes.js';
export { CLASS_COLUMN, disclosureBases } from './repo.js';
export { registerOversightRoutes, registerPersonRoutes } from './routes.js';
export { createPerson } from './service.js';
