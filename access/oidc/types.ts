import type { Role } from '../types.ts';

/**
 * Which claim values give which roles and trusts. Keys are values as the provider sends them (an Entra
 * app role, a CIS2 role code, a group id); a user gets the union of what their values map to.
 */
export interface ClaimMapping {
  readonly roles: Readonly<Record<string, readonly Role[]>>;
  readonly trusts: Readonly<Record<string, readonly string[]>>;
}

/** OpenID Connect sign-in settings, validated at start (app/config/oidc.ts). */
export interface OidcSettings {
  readonly issuer: string;
  /** Shown on the sign-in button: "Sign in with NHS CIS2". */
  readonly providerName: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** KERMA_PUBLIC_URL + /sign-in/oidc/callback, as registered at the provider. */
  readonly redirectUri: string;
  readonly scopes: string;
  /** Dotted paths into the claims. */
  readonly roleClaim: string;
  readonly trustClaim: string;
  readonly mapping: ClaimMapping;
  /** Plain http to the provider is allowed only when it runs on this machine (a test or a sidecar). */
  readonly allowInsecureHttp: boolean;
}

/** Where the provider sends the browser back; registered at the provider as KERMA_PUBLIC_URL + this. */
export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';
