import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import type { z } from 'zod';
import type { Localized } from '../../shared/contracts/common.js';
import type { AgencyType, Role } from '../../shared/domain/access.js';
import { useLocale } from './LocaleProvider.js';
import type { MessageKey } from './messages.js';

export type MessageValues = Record<string, string | number | boolean | Date | null | undefined>;

/** A typed translator: only keys of the catalogs compile. */
export function useT(): (id: MessageKey, values?: MessageValues) => string {
  const intl = useIntl();
  return useCallback((id: MessageKey, values?: MessageValues) => intl.formatMessage({ id }, values), [intl]);
}

export function roleKey(role: Role): MessageKey {
  return `role.${role}`;
}

export function agencyTypeKey(type: AgencyType): MessageKey {
  return `agencyType.${type}`;
}

/** Shows a localized object ({tk, ru, en}) in the interface language. */
export function useLocalized(): (value: z.infer<typeof Localized>) => string {
  const { locale } = useLocale();
  return useCallback((value) => value[locale] || value.en || value.tk || value.ru, [locale]);
}

/** Shows a known audit action in words, an unknown one as its code. */
export function useActionLabel(): (action: string) => string {
  const intl = useIntl();
  return useCallback(
    (action: string) => {
      const id = `auditAction.${action}`;
      return id in intl.messages ? intl.formatMessage({ id }) : action;
    },
    [intl],
  );
}
