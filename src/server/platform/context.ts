import type { FastifyBaseLogger } from 'fastify';
import type { AgencyType, Role } from '../../shared/domain/access.js';
import type { Locale } from '../../shared/domain/locales.js';

export interface ActorMembership {
  id: string;
  agencyId: string;
  agencyCode: string;
  agencyName: { tk: string; ru: string; en: string };
  /** What kind of agency: a consent may name a recipient by type ("any rehabilitation centre"). */
  agencyType: AgencyType;
  roles: Role[];
}

/** The signed-in person making the request, as loaded from their session. */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  sessionId: string;
  memberships: ActorMembership[];
  /** When the user last proved password and second factor (sign-in or step-up). */
  authenticatedAt: Date;
  /** A demo account (demo mode lets it sign in and step up without a second factor). */
  demoAccount?: boolean;
}

/**
 * One explicit request context, handed to every service: who, in which language, which request, which
 * clock. There are no ambient globals; a service that needs the actor gets it from here.
 */
export interface RequestContext {
  requestId: string;
  locale: Locale;
  actor: Actor | null;
  log: FastifyBaseLogger;
  now(): Date;
  /**
   * The idempotency claim this request holds (G33, platform/idempotency.ts): the first successful audit
   * event of the business transaction marks the claim committed in that same transaction.
   */
  idempotencyClaim?: string;
}

export function requireActor(ctx: RequestContext): Actor {
  if (!ctx.actor) throw new Error('route declared authenticated but no actor');
  return ctx.actor;
}
