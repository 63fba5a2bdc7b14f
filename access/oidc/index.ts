// OpenID Connect sign-in (docs/adr/0007): the provider does the authenticating, Kerma maps its claims
// to roles and trusts at every sign-in and keeps its own session.
export { OIDC_CALLBACK_PATH, type ClaimMapping, type OidcSettings } from './types.ts';
export { claimValues, mapClaims, type MappedAccess } from './claims.ts';
export { FLOW_LIFETIME_MINUTES } from './flows.ts';
export { candidateNames } from './identities.ts';
export { createOidcSignIn, type OidcCallback, type OidcSignIn, type OidcSignInResult } from './sign-in.ts';
