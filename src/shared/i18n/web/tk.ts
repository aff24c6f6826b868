import type { en } from './en.js';
import { en as base } from './en.js';
export const tk: Record<keyof typeof en, string> = { ...base };
