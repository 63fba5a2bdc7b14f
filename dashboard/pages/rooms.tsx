import express, { type Router } from 'express';
import { requireCsrf, requireUser, userOf, type SignedInUser } from '../../access/index.ts';
import { NotFoundError, ValidationError, type KermaError } from '../../core/index.ts';
import {
  actorOf,
  changeDevice,
  deviceIdParam,
  listDevices,
  listTrusts,
  parseDeviceChange,
  trustCodesOf,
  type DeviceSummary,
} from '../../ingest/index.ts';
import { FormField, Page, Table, type Column, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';

/**
 * Rooms and devices: every device seen in the user's trusts with its counts, for any role (device
 * lists carry no patient data, but which rooms a trust has and how busy they are is the trust's own
 * business, so the list follows the same trust scope as studies). Administrators rename a room and
 * move a device to another trust on /rooms/:deviceId; the change and its audit row are one
 * transaction (ingest/devices/service.ts).
 */
const page = PAGES.rooms;
const ADMIN = ['admin'] as const;
const isAdmin = (user: SignedInUser): boolean => user.roles.includes('admin');
const dash = (value: string | null): string => value ?? '—';

function columns(timeZone: string, admin: boolean): Column<DeviceSummary>[] {
  const count = (n: number) => n.toLocaleString('en-GB');
  const list: Column<DeviceSummary>[] = [
    {
      header: 'Room',
      cell: (d) => (
        <>
          {dash(d.roomName)}
          {d.roomNameSetBy ? <span class="sub">named by {d.roomNameSetBy}</span> : null}
        </>
      ),
    },
    { header: 'Trust', cell: (d) => <abbr title={d.trustName}>{d.trustCode}</abbr> },
    {
      header: 'Manufacturer and model',
      cell: (d) => (
        <>
          {dash(d.manufacturer)}
          <span class="sub">{dash(d.modelName)}</span>
        </>
      ),
    },
    { header: 'Station', cell: (d) => dash(d.stationName) },
    { header: 'Serial number', cell: (d) => dash(d.serialNumber) },
    { header: 'First seen', cell: (d) => <span class="nowrap">{formatDate(d.firstSeenAt, timeZone)}</span> },
    { header: 'Last seen', cell: (d) => <span class="nowrap">{formatDateTime(d.lastSeenAt, timeZone)}</span> },
    { header: 'Studies', unit: 'all time', numeric: true, cell: (d) => count(d.studies) },
    { header: 'Last 7 days', unit: 'studies', numeric: true, cell: (d) => count(d.studiesLast7Days) },
    { header: 'Last 30 days', unit: 'studies', numeric: true, cell: (d) => count(d.studiesLast30Days) },
  ];
  if (admin) {
    list.push({
      header: 'Change',
      cell: (d) => (
        <a href={`${page.path}/${d.deviceId}`}>
          Change<span class="visually-hidden"> {d.roomName ?? `device ${d.deviceId}`}</span>
        </a>
      ),
    });
  }
  return list;
}

function RoomsPage(props: {
  context: PageContext;
  devices: readonly DeviceSummary[];
  timeZone: string;
  saved?: string;
}) {
  const { user } = props.context;
  return (
    <Page context={props.context} title={page.title}>
      {props.saved ? (
        <p class="notice" role="status">
          Saved: {props.saved}.
        </p>
      ) : null}
      <p class="muted">
        Every X-ray unit that has sent a dose report to {user.trusts.map((t) => t.code).join(', ')}. Studies are counted
        by study date;{' '}
        {isAdmin(user)
          ? 'use Change to rename a room or move a device to another trust.'
          : 'an administrator can rename a room.'}
      </p>
      <Table
        caption={`Devices of ${user.trusts.map((t) => t.code).join(', ')}, by trust and room`}
        columns={columns(props.timeZone, isAdmin(user))}
        rows={props.devices}
        rowKey={(d) => String(d.deviceId)}
        empty={{
          title: 'No device has sent anything to your trusts yet.',
          hint: 'Devices appear with their first dose report.',
        }}
      />
    </Page>
  );
}

interface EditForm {
  readonly roomName: string;
  readonly trustCode: string;
}

function EditPage(props: {
  context: PageContext;
  device: DeviceSummary;
  trusts: ReadonlyArray<{ code: string; name: string }>;
  form: EditForm;
  problem?: string;
}) {
  const { device, form } = props;
  return (
    <Page context={props.context} title={`Change ${device.roomName ?? `device ${device.deviceId}`}`}>
      <p>
        <a href={page.path}>Back to rooms and devices</a>
      </p>
      <dl class="facts">
        <dt>Manufacturer and model</dt>
        <dd>{[device.manufacturer, device.modelName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Station</dt>
        <dd>{dash(device.stationName)}</dd>
        <dt>Serial number</dt>
        <dd>{dash(device.serialNumber)}</dd>
        <dt>Institution and department</dt>
        <dd>{[device.institutionName, device.departmentName].filter(Boolean).join(', ') || '—'}</dd>
        <dt>Studies</dt>
        <dd>{device.studies.toLocaleString('en-GB')}</dd>
      </dl>
      {props.problem ? (
        <p class="field-error" role="alert">
          {props.problem}
        </p>
      ) : null}
      <form method="post" action={`${page.path}/${device.deviceId}`} class="stacked-form">
        <input type="hidden" name="_csrf" value={props.context.csrfToken} />
        <FormField
          label="Display name"
          name="roomName"
          value={form.roomName}
          required
          hint="Shown for this room in every table and report."
        />
        <div class="field">
          <label for="field-trustCode">Trust</label>
          <p class="field-hint" id="field-trustCode-hint">
            Moving a device changes the trust it is listed under. Its studies stay with the trust that sent them.
          </p>
          <select id="field-trustCode" name="trustCode" aria-describedby="field-trustCode-hint">
            {props.trusts.map((t) => (
              <option key={t.code} value={t.code} selected={t.code === form.trustCode}>
                {`${t.code} · ${t.name}`}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
    </Page>
  );
}

async function deviceOf(deps: DashboardDependencies, user: SignedInUser, deviceId: number): Promise<DeviceSummary> {
  const device = (await listDevices(deps.db, trustCodesOf(user))).find((d) => d.deviceId === deviceId);
  if (!device) throw new NotFoundError('No such device in your trusts');
  return device;
}

export function roomsRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const context = pageContext(req);
    const devices = await listDevices(deps.db, trustCodesOf(context.user));
    const savedId =
      typeof req.query.saved === 'string' && /^\d{1,15}$/.test(req.query.saved) ? Number(req.query.saved) : 0;
    const saved = devices.find((d) => d.deviceId === savedId);
    sendHtml(
      res,
      <RoomsPage
        context={context}
        devices={devices}
        timeZone={deps.timeZone}
        saved={saved ? `${saved.roomName ?? `device ${saved.deviceId}`} (${saved.trustCode})` : undefined}
      />,
    );
  });

  router.get(`${page.path}/:deviceId`, requireUser(ADMIN), async (req, res) => {
    const context = pageContext(req);
    const device = await deviceOf(deps, context.user, deviceIdParam(req.params.deviceId));
    const form = { roomName: device.roomName ?? '', trustCode: device.trustCode };
    sendHtml(res, <EditPage context={context} device={device} trusts={await listTrusts(deps.db)} form={form} />);
  });

  router.post(
    `${page.path}/:deviceId`,
    express.urlencoded({ extended: false, limit: '4kb' }),
    requireUser(ADMIN),
    requireCsrf,
    async (req, res) => {
      const context = pageContext(req);
      const user = userOf(req)!;
      const deviceId = deviceIdParam(req.params.deviceId);
      const body = req.body as Record<string, unknown>;
      const text = (name: string): string => (typeof body[name] === 'string' ? body[name] : '');
      const form = { roomName: text('roomName'), trustCode: text('trustCode') };
      try {
        const change = parseDeviceChange({ roomName: form.roomName, trustCode: form.trustCode });
        await changeDevice(deps.transaction, actorOf(req, user), trustCodesOf(user), deviceId, change);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const device = await deviceOf(deps, user, deviceId);
        const problem = problemText(error);
        sendHtml(
          res,
          <EditPage
            context={context}
            device={device}
            trusts={await listTrusts(deps.db)}
            form={form}
            problem={problem}
          />,
          400,
        );
        return;
      }
      res.redirect(303, `${page.path}?saved=${deviceId}`);
    },
  );
}

function problemText(error: KermaError): string {
  const problems = (error.details?.problems as string[] | undefined) ?? [error.message];
  return `Not saved: ${problems.join('; ').replace('roomName', 'display name').replace('trustCode', 'trust')}.`;
}
