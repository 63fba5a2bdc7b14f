import { NotFoundError, ValidationError, type TransactionRunner } from '../../core/index.ts';
import { recordAudit } from '../../access/index.ts';
import { lockDevice, moveDevice, renameRoom, trustIdOf } from './store.ts';
import type { Actor, DeviceChange } from './types.ts';

export interface DeviceChangeResult {
  readonly before: { readonly roomName: string | null; readonly trustCode: string };
  readonly after: { readonly roomName: string | null; readonly trustCode: string };
}

/**
 * An administrator renames a room and/or moves its device to another trust. One transaction: the
 * change and its audit row (before and after) are stored together or not at all. A device outside
 * the administrator's trusts is "not found", as a study of another trust is. Moving a device moves
 * the device only: its studies keep the trust that sent them (docs/adr/0009).
 */
export async function changeDevice(
  transaction: TransactionRunner,
  actor: Actor,
  visibleTrustCodes: readonly string[],
  deviceId: number,
  change: DeviceChange,
): Promise<DeviceChangeResult> {
  return transaction(async (db) => {
    const device = await lockDevice(db, deviceId);
    if (!device || !visibleTrustCodes.includes(device.trustCode)) throw new NotFoundError('No such device');
    const before = { roomName: device.roomName, trustCode: device.trustCode };
    const after = { roomName: change.roomName ?? before.roomName, trustCode: change.trustCode ?? before.trustCode };
    if (after.roomName !== before.roomName) await renameRoom(db, deviceId, after.roomName!, actor.name);
    if (after.trustCode !== before.trustCode) {
      const trustId = await trustIdOf(db, after.trustCode);
      if (trustId === undefined) throw new ValidationError(`trustCode: no trust ${JSON.stringify(after.trustCode)}`);
      await moveDevice(db, deviceId, trustId);
    }
    if (after.roomName !== before.roomName || after.trustCode !== before.trustCode) {
      await recordAudit(db, {
        actorKind: 'user',
        actorId: actor.userId,
        actorName: actor.name,
        trustCode: before.trustCode,
        action: 'device.change',
        subjectKind: 'device',
        subjectKey: String(deviceId),
        address: actor.address,
        requestId: actor.requestId,
        detail: { before, after },
      });
    }
    return { before, after };
  });
}
