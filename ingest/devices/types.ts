/** A device (a room's X-ray unit) as the rooms page and GET /api/v1/devices show it. */
export interface DeviceSummary {
  readonly deviceId: number;
  readonly trustCode: string;
  readonly trustName: string;
  /** The room's display name: derived from the first object, or chosen by an administrator. */
  readonly roomName: string | null;
  /** The administrator who chose the display name; null while it is the derived one. */
  readonly roomNameSetBy: string | null;
  readonly manufacturer: string | null;
  readonly modelName: string | null;
  readonly stationName: string | null;
  readonly serialNumber: string | null;
  readonly institutionName: string | null;
  readonly departmentName: string | null;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** Studies by study date and time, whichever trust sent them (docs/adr/0009). */
  readonly studies: number;
  readonly studiesLast7Days: number;
  readonly studiesLast30Days: number;
}

/** A room that has sent nothing for a while: a modality misconfigured, a PACS forward broken. */
export interface SilentRoom {
  readonly deviceId: number;
  readonly trustCode: string;
  readonly roomName: string | null;
  readonly stationName: string | null;
  readonly lastSeenAt: string;
  readonly daysSilent: number;
}

/** What an administrator may change on a device; at least one of the two. */
export interface DeviceChange {
  readonly roomName?: string;
  readonly trustCode?: string;
}

/** Who asks for a change, for the audit log. */
export interface Actor {
  readonly userId: number;
  readonly name: string;
  readonly address: string;
  readonly requestId: string;
}
