import type { Request } from 'express';
import type { Logger, QueryRunner, TransactionRunner } from '../core/index.ts';
import type { RetryDependencies } from '../ingest/index.ts';
import type { PatientSizeDependencies } from '../analytics/index.ts';
import { sessionOf, type OidcSignIn, type SessionPolicy } from '../access/index.ts';
import type { PageContext } from './components/index.ts';

/** What the pages need, given by the composition root. */
export interface DashboardDependencies {
  readonly db: QueryRunner;
  readonly sessions: SessionPolicy;
  /** Local time zone of the region: "today" and "this week" start at its midnight. */
  readonly timeZone: string;
  readonly logger: Logger;
  /** OpenID Connect sign-in, when configured (KERMA_OIDC_ISSUER). */
  readonly oidc?: OidcSignIn | undefined;
  /** False when only OpenID Connect sign-in is offered (KERMA_PASSWORD_SIGN_IN=false); default true. */
  readonly passwordSignIn?: boolean | undefined;
  /** Tells the running DICOM listener that the calling AE titles changed (admin page). */
  readonly callingAeTitlesChanged?: () => Promise<void>;
  /** "Rooms that sent nothing for N days" on the overview (KERMA_SILENT_ROOM_DAYS). */
  readonly silentRoomDays: number;
  /** Changes that must be stored together with their audit row (device rename and move). */
  readonly transaction: TransactionRunner;
  /** The ingest service's quarantine retry: stored bytes through ingest again. */
  readonly retry: RetryDependencies;
  /** Patient size import: the identifier secret (accessions match by keyed hash) and what follows a change. */
  readonly patientSizes: PatientSizeDependencies;
  /** The secret of the patient-identifier keyed hashes (KERMA_PATIENT_ID_KEY), for patient look-ups. */
  readonly patientIdSecret: string;
}

/** The page context of a request that requireUser has admitted. */
export function pageContext(req: Request): PageContext {
  const session = sessionOf(req);
  if (!session) throw new Error('pageContext needs a signed-in request: mount requireUser first');
  return { user: session.user, csrfToken: session.csrfToken, path: req.path };
}
