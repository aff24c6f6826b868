/**
 * Logs carry an allow-list of facts (request id, route pattern, status, timings, error type) and never
 * personal data: request bodies are not logged, URLs are logged as route patterns, and these paths are
 * redacted in case a log call passes an object that holds them.
 */
export const logRedaction = {
  paths: [
    'req.headers.cookie',
    'req.headers.authorization',
    'res.headers["set-cookie"]',
    '*.password',
    '*.newPassword',
    '*.currentPassword',
    '*.token',
    '*.code',
    '*.secret',
    '*.username',
  ],
  censor: '[redacted]',
};
