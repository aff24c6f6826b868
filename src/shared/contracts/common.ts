import { z } from 'zod';
import { LOCALES } from '../domain/locales.js';

export const Uuid = z.uuid();
export const IdParams = z.strictObject({ id: z.uuid() });
export const LocaleSchema = z.enum(LOCALES);
export const Localized = z.strictObject({
  tk: z.string().trim().min(1).max(200),
  ru: z.string().trim().min(1).max(200),
  en: z.string().trim().min(1).max(200),
});
export const Ok = z.strictObject({ ok: z.literal(true) });
export const Page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), total: z.number().int().nonnegative() });
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
