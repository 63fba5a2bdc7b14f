import express, { type RequestHandler } from 'express';
import multer from 'multer';
import { KermaError, ValidationError } from '../../core/index.ts';

/**
 * A RIS export of a year of a busy region is some 300,000 rows of ~50 bytes. The import holds the
 * file and its rows in memory while it runs, so the HTTP routes cap it at 16 MiB; a larger file is
 * split, or imported with `kerma patient-size import`, which has no cap.
 */
export const MAX_CSV_BYTES = 16 * 1024 * 1024;

export class UploadTooLargeError extends KermaError {
  readonly code = 'upload_too_large';
  readonly httpStatus = 413;
}

const tooLarge = () =>
  new UploadTooLargeError(
    `the file is larger than ${MAX_CSV_BYTES / (1024 * 1024)} MiB; split it or use the command line`,
  );

/**
 * multipart/form-data with one file field `file` kept in memory (never written to disk: a RIS file
 * holds accession numbers, which Kerma stores only as keyed hashes) and a few small text fields.
 */
const multipart = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 20, fieldSize: 1024, parts: 21 },
}).single('file');

export const multipartUpload: RequestHandler = (req, res, next) => {
  multipart(req, res, (error: unknown) => {
    if (error === undefined || error === null) return next();
    if (error instanceof multer.MulterError) {
      return next(
        error.code === 'LIMIT_FILE_SIZE' ? tooLarge() : new ValidationError(`upload refused: ${error.message}`),
      );
    }
    next(error);
  });
};

export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv'];

/** A text/csv body as bytes (hashed as sent, decoded by the CSV reader). */
export const csvBody: RequestHandler = (req, res, next) => {
  express.raw({ type: CSV_MEDIA_TYPES, limit: MAX_CSV_BYTES })(req, res, (error?: unknown) => {
    const status = (error as { status?: number } | undefined)?.status;
    next(status === 413 ? tooLarge() : error);
  });
};

/** The uploaded file's bytes: the multipart `file` field, or a text/csv body. */
export function uploadedCsv(req: express.Request): Buffer | undefined {
  if (req.file) return req.file.buffer;
  return Buffer.isBuffer(req.body) ? req.body : undefined;
}
