import type { z } from 'zod';
import {
  ERROR_STATUS,
  type ErrorBody,
  type ErrorCode,
  type ValidationIssue,
} from '../../shared/contracts/errors.js';
import type { Locale } from '../../shared/domain/locales.js';
import { type ServerMessageKey, serverMessage } from '../../shared/i18n/server/index.js';

/** The one error type services throw. The handler turns it into `{ code, message, requestId, issues? }`. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly issues?: ValidationIssue[],
    readonly headers?: Record<string, string>,
    /** Extra answer fields some codes carry (412: the record's current version). */
    readonly details?: { currentVersion?: number },
  ) {
    super(code);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = () => new AppError('not_found');
export const forbidden = () => new AppError('forbidden');

export function errorBody(
  code: ErrorCode,
  locale: Locale,
  requestId: string,
  issues?: ValidationIssue[],
  details?: { currentVersion?: number },
): ErrorBody {
  const body: ErrorBody = { code, message: serverMessage(locale, `error.${code}`), requestId };
  if (issues && issues.length > 0) body.issues = issues;
  if (details?.currentVersion !== undefined) body.currentVersion = details.currentVersion;
  return body;
}

type ZodIssue = z.core.$ZodIssue;

function issueKey(issue: ZodIssue): { key: ServerMessageKey; params: Record<string, string | number> } {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? { key: 'issue.required', params: {} }
        : { key: 'issue.invalid_type', params: { expected: issue.expected } };
    case 'too_small': {
      const origin =
        issue.origin === 'string'
          ? 'string'
          : issue.origin === 'array' || issue.origin === 'set'
            ? 'array'
            : 'number';
      return { key: `issue.too_small.${origin}`, params: { minimum: Number(issue.minimum) } };
    }
    case 'too_big': {
      const origin =
        issue.origin === 'string'
          ? 'string'
          : issue.origin === 'array' || issue.origin === 'set'
            ? 'array'
            : 'number';
      return { key: `issue.too_big.${origin}`, params: { maximum: Number(issue.maximum) } };
    }
    case 'invalid_format':
      return { key: 'issue.invalid_format', params: {} };
    case 'unrecognized_keys':
      return { key: 'issue.unrecognized_keys', params: { keys: issue.keys.join(', ') } };
    case 'invalid_value':
      return { key: 'issue.invalid_value', params: {} };
    default:
      return { key: 'issue.invalid', params: {} };
  }
}

/** Every problem, with its field path, a stable code and a message in the caller's language. */
export function localizeIssues(
  issues: readonly ZodIssue[],
  locale: Locale,
  prefix?: string,
): ValidationIssue[] {
  return issues.map((issue) => {
    const { key, params } = issueKey(issue);
    const segments = [...(prefix ? [prefix] : []), ...issue.path.map((p) => String(p))];
    return {
      path: segments.join('.'),
      code: issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.code,
      message: serverMessage(locale, key, params),
    };
  });
}
