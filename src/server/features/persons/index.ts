export { registerOversightRoutes, registerPersonRoutes } from './routes.js';
