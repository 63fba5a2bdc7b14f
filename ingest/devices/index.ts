// Rooms and devices: the list with counts, an administrator's rename and move (docs/adr/0009).
export type { Actor, DeviceChange, DeviceSummary, SilentRoom } from './types.ts';
export { listDevices, listTrusts, silentRooms } from './store.ts';
export { parseDeviceChange } from './change.ts';
export { changeDevice, type DeviceChangeResult } from './service.ts';
export { actorOf, createDeviceRouter, deviceIdParam, trustCodesOf, type DeviceRouteDependencies } from './routes.ts';
