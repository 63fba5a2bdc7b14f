import type { Request } from 'express';
import { actorOf, addressOf, auditActor, requestIdOf, userOf } from '../../access/index.ts';
import type { StudyAuditActor } from './service.ts';
import type { StudyBrowserActor } from './types.ts';

/**
 * Who a study-browser request acts for: the trusts whose studies it may see and how the audit log
 * names it: a signed-in user on the page; on the API also an API key with the `read` scope (its
 * trust, or every trust for a consortium key).
 */
export interface StudyRequestActor {
  readonly scope: StudyBrowserActor;
  readonly audit: StudyAuditActor;
  readonly trusts: readonly { readonly trustId: number; readonly code: string }[];
}

export function studyActorOf(req: Request): StudyRequestActor | undefined {
  const user = userOf(req);
  if (!user) return undefined;
  return {
    scope: { trustIds: user.trusts.map((t) => t.trustId) },
    trusts: user.trusts,
    audit: {
      actorKind: 'user',
      actorId: user.userId,
      actorName: user.name,
      address: addressOf(req),
      requestId: requestIdOf(req),
    },
  };
}

/** The caller of the JSON API, as requireScope admitted it (a user or a key with the `read` scope). */
export function studyApiActorOf(req: Request): StudyRequestActor {
  const actor = actorOf(req);
  const audit = auditActor(actor);
  return {
    scope: { trustIds: actor.trustIds },
    trusts: actor.kind === 'user' ? actor.user.trusts : [],
    audit: {
      actorKind: audit.actorKind,
      actorId: audit.actorId,
      actorName: audit.actorName,
      address: addressOf(req),
      requestId: requestIdOf(req),
    },
  };
}
