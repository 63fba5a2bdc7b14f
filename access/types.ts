/** The roles of issue 10. A user has one or more; pages and APIs declare which they admit. */
export const ROLES = ['physicist', 'radiographer', 'governance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (text: string): text is Role => (ROLES as readonly string[]).includes(text);

export interface TrustRef {
  readonly trustId: number;
  readonly code: string;
  readonly name: string;
}

/** Who is signed in: what pages show in the header and what the data layer scopes queries by. */
export interface SignedInUser {
  readonly userId: number;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly trusts: readonly TrustRef[];
}

export interface UserSummary extends SignedInUser {
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly passwordChangedAt: string;
}

/** Session lifetimes: idle since the last request, absolute since sign-in. */
export interface SessionPolicy {
  readonly idleTimeoutMinutes: number;
  readonly absoluteTimeoutHours: number;
  /** Set the cookie's Secure flag (when KERMA_PUBLIC_URL is https). */
  readonly secureCookies: boolean;
}

export type ActorKind = 'user' | 'api-key' | 'system' | 'anonymous';

/** One audit row. Subject keys are UIDs or key hashes, never a clear patient identifier. */
export interface AuditEntry {
  readonly actorKind: ActorKind;
  readonly actorId?: number | undefined;
  readonly actorName?: string | undefined;
  readonly trustCode?: string | undefined;
  readonly action: string;
  readonly subjectKind?:
    'study' | 'patient' | 'user' | 'api-key' | 'config' | 'device' | 'quarantine' | 'reference-set' | undefined;
  readonly subjectKey?: string | undefined;
  readonly address?: string | undefined;
  readonly requestId?: string | undefined;
  readonly detail?: Record<string, unknown> | undefined;
}
