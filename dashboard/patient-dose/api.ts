import express, { type Request, type Router } from 'express';
import { actorOf, addressOf, auditActor, requestIdOf, requireActorCsrf, requireScope } from '../../access/index.ts';
import {
  PATIENT_DOSE_BODY_SCHEMA,
  patientDoseHistory,
  type PatientDoseBody,
  type PatientDoseDependencies,
  type PatientIdentifier,
} from '../../analytics/index.ts';
import { jsonBody } from '../../core/http-input.ts';
import { PAGES } from '../pages.ts';

export const PATIENT_DOSE_API_PATH = '/api/v1/analytics/patient-dose';

/** The validated body's identifier (the schema admits exactly one of the two). */
export function identifierOf(body: PatientDoseBody): PatientIdentifier {
  if (body.nhsNumber !== undefined) return { kind: 'nhs_number', nhsNumber: body.nhsNumber };
  const local = body.localId!;
  return { kind: 'local', trust: local.trust, issuer: local.issuer, value: local.value };
}

function lookupAuditActor(req: Request) {
  return { ...auditActor(actorOf(req)), address: addressOf(req), requestId: requestIdOf(req) };
}

/**
 * POST /api/v1/analytics/patient-dose: one patient's exams and cumulative dose across the caller's
 * trusts. POST, because the identifier must travel in the body, never in a URL. A browser session
 * sends its CSRF token (X-CSRF-Token); an API key needs the `read` scope. Every call is audited.
 */
export function patientDoseApiRouter(deps: PatientDoseDependencies): Router {
  const router = express.Router();
  router.post(
    PATIENT_DOSE_API_PATH,
    requireScope(deps.db, 'read', { roles: PAGES.patientDose.roles }),
    requireActorCsrf,
    ...jsonBody(PATIENT_DOSE_BODY_SCHEMA),
    async (req, res) => {
      const body = req.body as PatientDoseBody;
      const history = await patientDoseHistory(
        deps,
        { trustIds: actorOf(req).trustIds, audit: lookupAuditActor(req) },
        { identifier: identifierOf(body), window: body.window, via: 'api' },
      );
      res.set('Cache-Control', 'no-store').json(history);
    },
  );
  return router;
}
