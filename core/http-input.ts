import express, { type RequestHandler } from 'express';
import { inputParser } from './validation.ts';

/**
 * Body limits. JSON requests of Kerma's API are small (filters, a name, a role): 100 kB leaves room
 * for any of them and keeps a client from making the server buffer megabytes of JSON per request.
 * Forms are smaller still. STOW-RS carries DICOM objects and keeps its own limit (ingest/transports).
 */
export const JSON_BODY_LIMIT_BYTES = 100 * 1024;
export const FORM_BODY_LIMIT_BYTES = 8 * 1024;

/**
 * A JSON body route's front: reads at most `limitBytes` of application/json (413 beyond it), then
 * validates it against `schema` (400 naming the offending field). The handler after it reads the
 * validated value from req.body.
 */
export function jsonBody(schema: object, limitBytes = JSON_BODY_LIMIT_BYTES): RequestHandler[] {
  return [express.json({ limit: limitBytes, strict: true }), validateBody(schema)];
}

/** Validates req.body against a JSON schema; a request without a JSON body fails as "the whole input". */
export function validateBody(schema: object): RequestHandler {
  const parse = inputParser<unknown>(schema, 'body');
  return (req, _res, next) => {
    req.body = parse(req.body);
    next();
  };
}

/** A urlencoded form of at most `limitBytes` (413 beyond it). */
export function formBody(limitBytes = FORM_BODY_LIMIT_BYTES): RequestHandler {
  return express.urlencoded({ extended: false, limit: limitBytes });
}
