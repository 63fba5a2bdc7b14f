import express, { type Router } from 'express';
import { requireCsrf, requireUser, userOf, type SignedInUser } from '../../access/index.ts';
import { ValidationError } from '../../core/index.ts';
import {
  actorOf,
  quarantineOfTrusts,
  retryAllOfTrusts,
  retryOne,
  RETRY_ALL_BATCH,
  trustCodesOf,
  type QuarantineItem,
} from '../../ingest/index.ts';
import { Page, Table, type Column, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';

/**
 * The quarantine of the user's trusts: why each object could not be stored (the reason, never a
 * file path or a patient identifier), when and how it came, who sent it. Administrators retry one
 * entry or all of them through the ingest service's own retry; every retry is audited.
 */
const page = PAGES.quarantine;
const ADMIN = ['admin'] as const;
/** The newest entries: enough to see what is wrong; the count says how many more there are. */
const SHOWN = 100;
const isAdmin = (user: SignedInUser): boolean => user.roles.includes('admin');

const TRANSPORTS: Record<string, string> = {
  dimse: 'DICOM C-STORE',
  stow: 'STOW-RS',
  file: 'File import',
  reprocess: 'Reprocess',
};

function columns(timeZone: string, csrfToken: string, admin: boolean): Column<QuarantineItem>[] {
  const list: Column<QuarantineItem>[] = [
    { header: 'Received', cell: (q) => formatDateTime(q.quarantinedAt, timeZone) },
    { header: 'Trust', cell: (q) => q.trustCode },
    { header: 'Transport', cell: (q) => TRANSPORTS[q.transport] ?? q.transport },
    { header: 'Sender', cell: (q) => q.sender ?? '—' },
    {
      header: 'Reason',
      cell: (q) => (
        <>
          <span class="reason-code">{q.reasonCode}</span>
          <span class="sub">{q.reason}</span>
        </>
      ),
    },
    {
      header: 'Retries',
      numeric: true,
      cell: (q) =>
        q.retryCount === 0
          ? '0'
          : `${q.retryCount} (last ${formatDateTime(q.lastRetryAt ?? q.quarantinedAt, timeZone)})`,
    },
  ];
  if (admin) {
    list.push({
      header: 'Retry',
      cell: (q) => (
        <form method="post" action={`${page.path}/${q.quarantineId}/retry`} class="inline-form">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <button type="submit" class="secondary">
            Retry<span class="visually-hidden"> object received {formatDateTime(q.quarantinedAt, timeZone)}</span>
          </button>
        </form>
      ),
    });
  }
  return list;
}

interface Outcome {
  readonly retried: number;
  readonly resolved: number;
}

function outcomeText(o: Outcome): string {
  const still = o.retried - o.resolved;
  return `Retried ${o.retried}: ${o.resolved} now stored, ${still} still in quarantine.`;
}

function QuarantinePage(props: {
  context: PageContext;
  items: readonly QuarantineItem[];
  total: number;
  timeZone: string;
  outcome?: Outcome | undefined;
}) {
  const { user, csrfToken } = props.context;
  const admin = isAdmin(user);
  const trusts = user.trusts.map((t) => t.code).join(', ');
  return (
    <Page context={props.context} title={page.title}>
      {props.outcome ? (
        <p class="notice" role="status">
          {outcomeText(props.outcome)}
        </p>
      ) : null}
      <div class="toolbar">
        <p>
          <strong>{props.total.toLocaleString('en-GB')}</strong> open {props.total === 1 ? 'entry' : 'entries'} for{' '}
          {trusts}
          {props.total > props.items.length ? ` (the newest ${props.items.length} shown)` : ''}.
        </p>
        {admin && props.total > 0 ? (
          <form method="post" action={`${page.path}/retry`} class="inline-form">
            <input type="hidden" name="_csrf" value={csrfToken} />
            <button type="submit" class="primary">
              Retry all
            </button>
          </form>
        ) : null}
      </div>
      {admin ? (
        <p class="muted">
          A retry runs the stored object through ingest again, as it was received: use it once the sender's trust or AE
          title is configured, or after an extractor fix. Retry all takes the newest {RETRY_ALL_BATCH} at a time.
        </p>
      ) : null}
      <Table
        caption={`Objects that could not be stored, newest first, for ${trusts}`}
        columns={columns(props.timeZone, csrfToken, admin)}
        rows={props.items}
        rowKey={(q) => String(q.quarantineId)}
        empty={{ title: 'The quarantine is empty.', hint: 'Objects that cannot be read or extracted appear here.' }}
      />
    </Page>
  );
}

const count = (value: unknown): number | undefined =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;

function quarantineIdParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) {
    throw new ValidationError('the quarantine entry must be a positive whole number');
  }
  return Number(value);
}

export function quarantineRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const context = pageContext(req);
    const { items, total } = await quarantineOfTrusts(deps.db, trustCodesOf(context.user), SHOWN);
    // The outcome of a retry, carried by its redirect (numbers only: nothing else is echoed).
    const retried = count(req.query.retried);
    const resolved = count(req.query.resolved);
    const outcome =
      retried !== undefined && resolved !== undefined && resolved <= retried ? { retried, resolved } : undefined;
    sendHtml(
      res,
      <QuarantinePage context={context} items={items} total={total} timeZone={deps.timeZone} outcome={outcome} />,
    );
  });

  const form = express.urlencoded({ extended: false, limit: '2kb' });
  const done = (res: express.Response, o: Outcome) =>
    res.redirect(303, `${page.path}?retried=${o.retried}&resolved=${o.resolved}`);

  router.post(`${page.path}/retry`, form, requireUser(ADMIN), requireCsrf, async (req, res) => {
    const user = userOf(req)!;
    done(res, await retryAllOfTrusts(deps.retry, actorOf(req, user), trustCodesOf(user)));
  });

  router.post(`${page.path}/:quarantineId/retry`, form, requireUser(ADMIN), requireCsrf, async (req, res) => {
    const user = userOf(req)!;
    const id = quarantineIdParam(req.params.quarantineId);
    done(res, await retryOne(deps.retry, actorOf(req, user), trustCodesOf(user), id));
  });
}
