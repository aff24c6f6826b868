export { registerExportRoutes } from './routes.js';
