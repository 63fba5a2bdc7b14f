import type { Request } from 'express';
import { addressOf, requestIdOf, userOf } from '../../access/index.ts';
import type { StudyAuditActor } from './service.ts';
import type { StudyBrowserActor } from './types.ts';

/**
 * Who a study-browser request acts for: the trusts whose studies it may see and how the audit log
 * names it. A signed-in user today; an API key with the `read` scope resolves to the same shape
 * (its trust, or every trust for a consortium key) once keys carry scopes.
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
