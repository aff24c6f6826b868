export { registerStatisticsRoutes } from './routes.js';
