import type { en } from './en.js';
import { en as base } from './en.js';
export const ru: Record<keyof typeof en, string> = { ...base };
