// access: users, passwords, sessions, sign-in and the audit log (docs/adr/0007).
// Other features and the composition root import only from here.
export { ROLES, isRole, type Role, type SignedInUser, type TrustRef, type UserSummary } from './types.ts';
export type { ActorKind, AuditEntry, SessionPolicy } from './types.ts';
export { recordAudit } from './audit.ts';
export {
  AUDIT_READERS,
  MAX_AUDIT_PAGE,
  auditScopeOf,
  filterOf,
  listAudit,
  parseAuditQuery,
  type AuditFilter,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type AuditScope,
} from './audit-query.ts';
export {
  AUDIT_API_PATH,
  AUDIT_CSV_PATH,
  createAuditRouter,
  recordAuditRead,
  type AuditRouteDependencies,
} from './audit-routes.ts';
export { checkPasswordPolicy, generatePassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
export { createUser, disableUser, findUser, listUsers, setPassword, findCredentials, type NewUser } from './users.ts';
export { createSession, endSession, resolveSession, type ActiveSession, type NewSession } from './sessions.ts';
export {
  FLOW_LIFETIME_MINUTES,
  OIDC_CALLBACK_PATH,
  candidateNames,
  claimValues,
  createOidcSignIn,
  mapClaims,
  type ClaimMapping,
  type OidcSettings,
  type OidcSignIn,
} from './oidc/index.ts';
export { signIn, SIGN_IN_LIMITS, type SignInRequest, type SignInResult } from './sign-in.ts';
export {
  SIGN_IN_PATH,
  addressOf,
  clearSessionCookie,
  cookieNames,
  issueSignInCsrf,
  readCookie,
  requestIdOf,
  requireCsrf,
  requireUser,
  safeNextPath,
  sameToken,
  sessionMiddleware,
  sessionOf,
  setSessionCookie,
  userOf,
  type RequestSession,
} from './http.ts';
export {
  API_SCOPES,
  authenticateApiKey,
  createApiKey,
  isApiScope,
  listApiKeys,
  presentedApiKey,
  revokeApiKey,
  type ApiKeyInfo,
  type ApiKeyPrincipal,
  type ApiScope,
  type AuthenticateApiKey,
} from './api-keys.ts';
export { actorOf, auditActor, requireActorCsrf, requireScope, type Actor } from './actor.ts';
