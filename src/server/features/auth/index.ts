export { generateTotp } from './mfa.js';
export { hashPassword } from './passwords.js';
export { registerAuthRoutes } from './routes.js';
export { assertAcceptablePassword, contextWords, issueSetupToken } from './service.js';
