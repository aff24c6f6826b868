import type { UserT } from '../../api/types.js';
import { Badge, type Tone } from '../../components/Badge.js';
import { useT } from '../../i18n/useT.js';
import { type UserState, userState } from './queries.js';

const TONES: Record<UserState, Tone> = {
  inactive: 'neutral',
  locked: 'danger',
  awaitingSetup: 'info',
  noMfa: 'warning',
  active: 'success',
};

export function UserStateBadge({ user }: { user: UserT }) {
  const t = useT();
  const state = userState(user);
  return (
    <Badge tone={TONES[state]} testId="user-state">
      {t(`userState.${state}`)}
    </Badge>
  );
}
