import express from 'express';
import {
  ROLES,
  addressOf,
  requestIdOf,
  requireCsrf,
  requireUser,
  userOf,
  type SignedInUser,
} from '../../access/index.ts';
import { ValidationError, type QueryRunner, type TransactionRunner } from '../../core/index.ts';
import { parseDeviceChange } from './change.ts';
import { changeDevice } from './service.ts';
import { listDevices } from './store.ts';
import type { Actor } from './types.ts';

export interface DeviceRouteDependencies {
  readonly db: QueryRunner;
  readonly transaction: TransactionRunner;
}

/** A path's device id: digits only, else 400 (never a 500 from a cast in SQL). */
export function deviceIdParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) {
    throw new ValidationError('deviceId must be a positive whole number');
  }
  return Number(value);
}

export const trustCodesOf = (user: SignedInUser): string[] => user.trusts.map((t) => t.code);

export function actorOf(req: express.Request, user: SignedInUser): Actor {
  return { userId: user.userId, name: user.name, address: addressOf(req), requestId: requestIdOf(req) };
}

/**
 * GET /api/v1/devices: the devices of the caller's trusts with their counts (any signed-in role).
 * PATCH /api/v1/devices/:deviceId {roomName?, trustCode?}: an administrator's change, with the
 * session's CSRF token in X-CSRF-Token, audited with before and after.
 */
export function createDeviceRouter(deps: DeviceRouteDependencies): express.Router {
  const router = express.Router();
  router.get('/api/v1/devices', requireUser(ROLES, 'api'), async (req, res) => {
    const user = userOf(req)!;
    res.set('Cache-Control', 'no-store').json({ items: await listDevices(deps.db, trustCodesOf(user)) });
  });
  router.patch(
    '/api/v1/devices/:deviceId',
    requireUser(['admin'], 'api'),
    express.json({ limit: '4kb' }),
    requireCsrf,
    async (req, res) => {
      const user = userOf(req)!;
      const deviceId = deviceIdParam(req.params.deviceId);
      const change = parseDeviceChange(req.body);
      const result = await changeDevice(deps.transaction, actorOf(req, user), trustCodesOf(user), deviceId, change);
      res.json({ deviceId, ...result });
    },
  );
  return router;
}
