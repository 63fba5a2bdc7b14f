import type { Server } from 'node:http';
import { loggableError, sql, type Logger, type TransactionRunner } from '../core/index.ts';
import type { Express } from 'express';
import type { KermaConfig } from './config/index.ts';
import { migrateDatabase, openDatabase, type Database } from './db/database.ts';
import { createHttpApp, listen } from './http/server.ts';
import { wireIngest, type WiredIngest } from './ingest-wiring.ts';
import { queryRunner, withTransaction } from './db/pool.ts';
import {
  authenticateApiKey,
  createDeviceRouter,
  createObjectStore,
  createQuarantineRouter,
  createStowRouter,
  openCallingAeDirectory,
  startDicomScp,
  type CallingAeDirectory,
  type RunningDicomScp,
} from '../ingest/index.ts';
import { assertPatientIdKeyConfigured, patientIdSecret } from './secrets.ts';
import { createAuditRouter, createOidcSignIn, sessionMiddleware, type SessionPolicy } from '../access/index.ts';
import {
  createDashboardRouter,
  createStudyApiRouter,
  pageErrorHandler,
  referenceSetsApiRouter,
  createPatientSizeApiRouter,
  patientDoseApiRouter,
  trendsApiRouter,
  drlApiRouter,
  DRL_OPERATIONS,
  STUDY_OPERATIONS,
  TREND_OPERATIONS,
} from '../dashboard/index.ts';
import { seedBuiltinReferenceSets } from '../reference-levels/index.ts';
import { recomputeDoseMetrics, resumePendingRemap, type PatientSizeDependencies } from '../analytics/index.ts';
import { createOpenApiRegistry, openApiRouter, OPENAPI_OPERATION } from './http/openapi.ts';
import { kermaVersion } from './version.ts';

/**
 * The composition root: the only place that builds services and wires features to transports.
 * Features receive their dependencies (config, query runner, logger) from here.
 */
export interface RunningKerma {
  readonly url: string;
  readonly database: Database;
  readonly ingest: WiredIngest;
  /** The HTTP application, for tests that walk its routes (the route sweep). */
  readonly app: Express;
  /** Port of the DICOM listener, when it runs. */
  readonly dicomPort: number | undefined;
  stop(): Promise<void>;
}

/** Cookies are Secure when users reach Kerma over https (KERMA_PUBLIC_URL), whatever the hop behind the proxy. */
export function sessionPolicy(config: KermaConfig): SessionPolicy {
  return {
    idleTimeoutMinutes: config.sessions.idleTimeoutMinutes,
    absoluteTimeoutHours: config.sessions.absoluteTimeoutHours,
    secureCookies: config.publicUrl?.startsWith('https://') ?? false,
  };
}

/**
 * Stores the builtin reference sets not yet in the database (a new builtin edition supersedes the
 * old one). After the migrations, before anything may compare a dose: a start never serves DRL
 * comparisons against an empty or outdated table.
 */
async function seedReferenceSets(transaction: TransactionRunner, logger: Logger): Promise<void> {
  const seeded = await seedBuiltinReferenceSets(transaction);
  if (seeded.inserted.length > 0) logger.info({ inserted: seeded.inserted }, 'builtin reference sets stored');
  if (seeded.differing.length > 0) {
    // The stored edition stays: comparisons may already point at it. A changed figure needs a new edition.
    logger.warn(
      { differing: seeded.differing },
      'builtin reference set changed without a new edition; kept the stored one',
    );
  }
}

export async function startKerma(config: KermaConfig, logger: Logger): Promise<RunningKerma> {
  // Before anything starts: a missing shared key is a configuration error, not a runtime one.
  assertPatientIdKeyConfigured(config);
  const database = await openDatabase(config, logger);
  let server: Server | undefined;
  let dicom: RunningDicomScp | undefined;
  let callingAes: CallingAeDirectory | undefined;
  try {
    if (config.migrateOnStart) {
      const result = await migrateDatabase(database, config, logger);
      logger.info({ flavour: result.flavour, applied: result.applied, latest: result.latest }, 'database schema ready');
    }
    const ingest = await wireIngest(config, database, logger);
    const db = queryRunner(database.pool);
    const transaction = <T>(work: (runner: typeof db) => Promise<T>) => withTransaction(database.pool, work);
    await seedReferenceSets(transaction, logger);
    if (config.dicom.enabled) {
      callingAes = await openCallingAeDirectory(db, logger.child({ component: 'dicom' }));
      dicom = await startDicomScp({
        aeTitle: config.dicom.aeTitle,
        host: config.dicom.host,
        port: config.dicom.port,
        callingAeTitles: callingAes.titles,
        defaultTrustCode: 'DEFAULT',
        maxAssociations: config.dicom.maxAssociations,
        maxObjectBytes: config.dicom.maxObjectBytes,
        ingest,
        logger: logger.child({ component: 'dicom' }),
      });
      logger.info({ aeTitle: config.dicom.aeTitle, host: config.dicom.host, port: dicom.port }, 'DICOM listener ready');
    }
    const openDicom = dicom;
    const openCallingAes = callingAes;
    const authenticate = (key: string) => authenticateApiKey(db, key);
    // The routers carry their full paths (/dicomweb/studies…, /api/v1/quarantine), so they mount at /.
    const sessions = sessionPolicy(config);
    // The size import's use case, for its page and its API (a size change is where dose metrics that
    // depend on size get recomputed: `studiesChanged`).
    const secret = await patientIdSecret(config);
    const patientSizes: PatientSizeDependencies = {
      transaction,
      patientIdSecret: secret,
      studiesChanged: async (runner, studyIds) => void (await recomputeDoseMetrics(runner, { studyIds })),
    };
    // A re-map of history a rule change asked for and a crash interrupted (or the first start after
    // migration 0017): in the background, so a region of millions of studies does not delay start.
    const pendingRemap = resumePendingRemap(db, transaction).then(
      (result) => result && logger.info({ ...result }, 'procedure mapping: history re-mapped'),
      (error: unknown) =>
        logger.warn({ err: loggableError(error) }, 'procedure mapping: re-map failed; retried at next start'),
    );
    // Every feature's operations, described by the schemas that validate them (GET /api/v1/openapi.json).
    const openApi = createOpenApiRegistry({ version: kermaVersion() });
    openApi.add(OPENAPI_OPERATION, ...STUDY_OPERATIONS, ...DRL_OPERATIONS, ...TREND_OPERATIONS);
    const app = createHttpApp({
      pool: database.pool,
      logger,
      middleware: [sessionMiddleware(db, sessions)],
      routers: [
        {
          path: '/',
          router: createStowRouter({
            ingest,
            authenticate,
            logger: logger.child({ component: 'stow-rs' }),
            trustExists: async (code) =>
              (await db.query(sql`SELECT 1 FROM trusts WHERE code = ${code}`)).rows.length > 0,
          }),
        },
        { path: '/', router: createQuarantineRouter({ db, authenticate, logger }) },
        { path: '/', router: openApiRouter(openApi) },
        { path: '/', router: createStudyApiRouter({ db }) },
        { path: '/', router: drlApiRouter({ db, timeZone: config.timeZone }) },
        { path: '/', router: createDeviceRouter({ db, transaction }) },
        { path: '/', router: createAuditRouter({ db, timeZone: config.timeZone, logger }) },
        { path: '/', router: referenceSetsApiRouter({ db, transaction }) },
        { path: '/', router: createPatientSizeApiRouter({ db, sizes: patientSizes }) },
        { path: '/', router: trendsApiRouter({ db, timeZone: config.timeZone }) },
        { path: '/', router: patientDoseApiRouter({ db, patientIdSecret: secret, timeZone: config.timeZone }) },
        {
          path: '/',
          router: createDashboardRouter({
            db,
            sessions,
            timeZone: config.timeZone,
            logger: logger.child({ component: 'dashboard' }),
            passwordSignIn: config.passwordSignIn,
            oidc: config.oidc
              ? createOidcSignIn({
                  settings: config.oidc,
                  db,
                  transaction: (work) => withTransaction(database.pool, work),
                  logger: logger.child({ component: 'oidc' }),
                })
              : undefined,
            callingAeTitlesChanged: async () => openCallingAes?.refresh(),
            silentRoomDays: config.silentRoomDays,
            transaction,
            retry: { db, objects: createObjectStore(config.dataDir), ingest },
            patientSizes,
            patientIdSecret: secret,
          }),
        },
      ],
      errorHandlers: [pageErrorHandler({ logger: logger.child({ component: 'dashboard' }) })],
    });
    const listening = await listen(app, config.http.host, config.http.port, config.http);
    server = listening.server;
    logger.info({ url: listening.url, embeddedDatabase: database.embedded }, 'kerma listening');
    const openServer = server;
    return {
      url: listening.url,
      app,
      database,
      ingest,
      dicomPort: openDicom?.port,
      stop: async () => {
        // First the listener: C-STOREs already received are stored and answered before the database closes.
        await openDicom?.close();
        openCallingAes?.close();
        await pendingRemap;
        await new Promise<void>((resolve) => {
          openServer.close(() => resolve());
          openServer.closeAllConnections();
        });
        // Nothing new arrives now: finish the metrics of the studies stored last.
        await ingest.drainAnalytics();
        await database.close();
      },
    };
  } catch (error) {
    await dicom?.close();
    callingAes?.close();
    server?.close();
    await database.close();
    throw error;
  }
}

/**
 * Stops Kerma for a signal and returns the exit code: 0 when everything finished in time, 1 when the
 * stop failed or outlived `deadlineMs`. A service manager sends SIGTERM and waits; a process that
 * keeps waiting on a database that is gone (a pool draining, a server that never answers) must still
 * go, so the deadline does not depend on anything the stop is waiting for.
 */
export async function stopWithin(
  kerma: Pick<RunningKerma, 'stop'>,
  deadlineMs: number,
  logger: Logger,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed: exiting with work unfinished');
      resolve(1);
    }, deadlineMs);
  });
  const stopped = kerma.stop().then(
    () => 0,
    (error: unknown) => {
      logger.error({ err: loggableError(error) }, 'shutdown failed');
      return 1;
    },
  );
  try {
    return await Promise.race([stopped, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
