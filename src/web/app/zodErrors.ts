import type { MessageKey } from '../i18n/messages.js';
import type { MessageValues } from '../i18n/useT.js';

interface IssueLike {
  code?: string;
  origin?: string;
  minimum?: unknown;
  maximum?: unknown;
  input?: unknown;
}

/**
 * Localizes the messages of client-side zod validation (the shared contracts) so that a form shows its
 * problems in the interface language before the server is even asked.
 */
export function zodMessages(t: (id: MessageKey, values?: MessageValues) => string) {
  return {
    error: (issue: IssueLike): string => {
      const min = Number(issue.minimum);
      const max = Number(issue.maximum);
      switch (issue.code) {
        case 'too_small':
          if (issue.origin === 'array' || issue.origin === 'set') return t('validation.chooseOne');
          if (min <= 1 || issue.input === '' || issue.input === undefined) return t('validation.required');
          return t('validation.tooShort', { min });
        case 'too_big':
          return t('validation.tooLong', { max });
        case 'invalid_format':
          return issue.input === '' ? t('validation.required') : t('validation.invalidFormat');
        case 'invalid_type':
          return issue.input === undefined || issue.input === ''
            ? t('validation.required')
            : t('validation.invalid');
        default:
          return t('validation.invalid');
      }
    },
  };
}
