export { registerAuthRoutes } from './routes.js';
export { assertAcceptablePassword, contextWords, issueSetupToken } from './service.js';
export { hashPassword } from './passwords.js';
export { generateTotp } from './mfa.js';
