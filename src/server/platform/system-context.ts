import pino from 'pino';
import type { AppDeps } from '../app.js';
import type { RequestContext } from './context.js';

/** A context for work that no user requested (start-up, demo data, command-line tools). */
export function systemContext(deps: Pick<AppDeps, 'clock' | 'config'>, requestId: string): RequestContext {
  return {
    requestId,
    locale: 'en',
    actor: null,
    log: pino({ level: deps.config.logLevel }),
    now: deps.clock,
  };
}
