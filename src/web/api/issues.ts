import { isApiError } from './client.js';

/** The server's message for one field (issues are matched by path, e.g. `newPassword` or `name.tk`). */
export function issueFor(error: unknown, path: string): string | undefined {
  if (!isApiError(error)) return undefined;
  return error.issues.find((issue) => issue.path === path)?.message;
}

/** Issues that belong to no field shown on the form: listed with the form-level error. */
export function otherIssues(error: unknown, shownPaths: readonly string[]): string[] {
  if (!isApiError(error)) return [];
  return error.issues.filter((issue) => !shownPaths.includes(issue.path)).map((issue) => issue.message);
}
