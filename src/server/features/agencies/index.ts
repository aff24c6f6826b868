export { countActiveSystemAdmins, keepingAnAdmin } from './last-admin.js';
export type { AgencyScope } from './repo.js';
export { selectAgency } from './repo.js';
export { registerAgencyRoutes } from './routes.js';
export { createAgencyRecord } from './service.js';
