import type { Role } from '../../src/shared/domain/access.js';
import { createUser, signIn } from '../factories/index.js';
import type { TestApp } from '../support/app.js';
import { Browser } from '../support/http.js';

/** A signed-in staff member of an agency, with the given roles. */
export async function staff(t: TestApp, agencyId: string, roles: Role[], locale = 'en') {
  const user = await createUser(t, { agencyId, roles });
  const b = new Browser(t, locale);
  b.cookie = await signIn(t, user.id);
  return Object.assign(b, { userId: user.id });
}
