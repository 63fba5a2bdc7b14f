import * as client from 'openid-client';
import {
  UnavailableError,
  loggableError,
  type Logger,
  type QueryRunner,
  type TransactionRunner,
} from '../../core/index.ts';
import { recordAudit } from '../audit.ts';
import { createSession, type NewSession } from '../sessions.ts';
import type { SignedInUser } from '../types.ts';
import { findUserById } from '../users.ts';
import { mapClaims } from './claims.ts';
import { beginFlow, consumeFlow } from './flows.ts';
import {
  applyAccess,
  createLinkedUser,
  findLinkedUser,
  knownTrusts,
  touchIdentity,
  type ProviderIdentity,
} from './identities.ts';
import { providerClient, type ProviderClient } from './provider.ts';
import type { OidcSettings } from './types.ts';

export type OidcSignInResult =
  | { readonly kind: 'signed-in'; readonly session: NewSession; readonly user: SignedInUser; readonly nextPath: string }
  | { readonly kind: 'refused' };

export interface OidcCallback {
  /** The callback's query string as received (code, state, iss, or the provider's error). */
  readonly query: string;
  /** The flow cookie's token, if the browser sent one. */
  readonly flowToken: string | undefined;
  readonly address: string;
  readonly requestId: string;
}

/** Sign-in through the identity provider: the redirect out, and the callback that makes a session. */
export interface OidcSignIn {
  readonly providerName: string;
  /** Starts a flow: the provider URL to redirect to and the token for the browser's flow cookie. */
  begin(nextPath: string): Promise<{ redirectTo: string; flowToken: string }>;
  complete(callback: OidcCallback): Promise<OidcSignInResult>;
}

export interface OidcDependencies {
  readonly settings: OidcSettings;
  readonly db: QueryRunner;
  readonly transaction: TransactionRunner;
  readonly logger: Logger;
  /** Tests may replace the provider; Kerma always uses openid-client's. */
  readonly provider?: ProviderClient;
}

/** Why a callback was refused, for the audit log: the user always sees the same message. */
type Refusal = { readonly reason: string; readonly identity?: ProviderIdentity; readonly userId?: number };

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
}

const errorCode = (error: unknown): string => {
  const { code, error: oauthError } = error as { code?: unknown; error?: unknown };
  if (typeof oauthError === 'string') return oauthError; // the provider's own, e.g. access_denied
  return typeof code === 'string' ? code : 'provider-response-invalid';
};

const suggestedName = (claims: Record<string, unknown>): string | undefined =>
  ['preferred_username', 'email', 'name'].map((key) => claims[key]).find((v): v is string => typeof v === 'string');

export function createOidcSignIn(deps: OidcDependencies): OidcSignIn {
  const { settings, db } = deps;
  const provider = deps.provider ?? providerClient(settings);

  async function verifiedClaims(
    callback: OidcCallback,
  ): Promise<{ claims: Record<string, unknown>; nextPath: string }> {
    const flow = callback.flowToken ? await consumeFlow(db, callback.flowToken) : undefined;
    if (!flow) throw new Refused({ reason: 'no-flow' });
    try {
      return { claims: await provider.finish(callback.query, flow), nextPath: flow.nextPath };
    } catch (error) {
      throw new Refused({ reason: errorCode(error) });
    }
  }

  /** Finds or creates the identity's user and gives it what the claims map to now, in one transaction. */
  async function linkUser(claims: Record<string, unknown>): Promise<number> {
    const identity: ProviderIdentity = {
      issuer: String(claims.iss),
      subject: String(claims.sub),
      suggestedName: suggestedName(claims),
    };
    const mapped = mapClaims(claims, settings);
    const trusts = await knownTrusts(db, mapped.trustCodes);
    return deps.transaction(async (tx) => {
      const linked = await findLinkedUser(tx, identity);
      if (linked?.disabled) throw new Refused({ reason: 'disabled', identity, userId: linked.userId });
      if (mapped.roles.length === 0) throw new Refused({ reason: 'no-mapped-role', identity, userId: linked?.userId });
      if (trusts.length === 0) throw new Refused({ reason: 'no-mapped-trust', identity, userId: linked?.userId });
      const userId = linked?.userId ?? (await createLinkedUser(tx, identity, mapped.roles));
      await applyAccess(
        tx,
        userId,
        mapped.roles,
        trusts.map((t) => t.trustId),
      );
      await touchIdentity(tx, identity);
      return userId;
    });
  }

  async function refuse(callback: OidcCallback, refusal: Refusal): Promise<OidcSignInResult> {
    await recordAudit(db, {
      actorKind: refusal.userId === undefined ? 'anonymous' : 'user',
      actorId: refusal.userId,
      action: 'sign-in.failure',
      address: callback.address,
      requestId: callback.requestId,
      detail: {
        method: 'oidc',
        reason: refusal.reason,
        ...(refusal.identity ? { issuer: refusal.identity.issuer, subject: refusal.identity.subject } : {}),
      },
    });
    return { kind: 'refused' };
  }

  return {
    providerName: settings.providerName,

    async begin(nextPath) {
      const checks = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
      let redirectTo: string;
      try {
        redirectTo = await provider.authorizationUrl({
          ...checks,
          codeChallenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        });
      } catch (error) {
        deps.logger.warn({ err: loggableError(error), issuer: settings.issuer }, 'identity provider unreachable');
        throw new UnavailableError(`${settings.providerName} cannot be reached just now. Try again in a few minutes.`);
      }
      const flowToken = await beginFlow(db, { ...checks, nextPath });
      return { redirectTo, flowToken };
    },

    async complete(callback) {
      let verified: Awaited<ReturnType<typeof verifiedClaims>>;
      let userId: number;
      try {
        verified = await verifiedClaims(callback);
        userId = await linkUser(verified.claims);
      } catch (error) {
        if (error instanceof Refused) return refuse(callback, error.refusal);
        throw error;
      }
      const user = await findUserById(db, userId);
      if (!user) return refuse(callback, { reason: 'disabled', userId });
      const session = await createSession(db, user.userId);
      const mapped = { roles: user.roles, trusts: user.trusts.map((t) => t.code) };
      await recordAudit(db, {
        actorKind: 'user',
        actorId: user.userId,
        actorName: user.name,
        action: 'sign-in.success',
        address: callback.address,
        requestId: callback.requestId,
        detail: { method: 'oidc', issuer: verified.claims.iss, subject: verified.claims.sub, ...mapped },
      });
      return { kind: 'signed-in', session, user, nextPath: verified.nextPath };
    },
  };
}
