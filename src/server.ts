import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onLearnerErased, setRetentionDays } from './activity/index.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { ensureIndexes } from './db/connection.js';
import { addMaintenanceTask, startExpiryTimer } from './db/expiry.js';
import { openDatabase, type Database } from './db/index.js';
import { startGradeWorker, type GradeWorker } from './grades/index.js';
import { setupLti } from './lti/provider.js';
import { eraseLaunchSessions } from './lti/session.js';
import { retireRotatedKeys } from './lti/tool_keys.js';
import { log } from './log.js';
import { metricsAccess, startMetricsServer } from './web/metrics.js';
import { registerLearnerDataAreas } from './privacy/areas.js';
import { startRetrainTimer } from './recommend/retrain.js';

export interface RunningTool {
  url: string;
  port: number;
  server: Server;
  database: Database;
  /** The internal /metrics listener, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** The grade outbox worker of this process (tests tune its options). */
  grades: GradeWorker;
  close(): Promise<void>;
}

let guarded = false;

/**
 * No request may end the process: a library that rejects a promise nobody awaits (ltijs's async
 * middlewares do) or throws from a callback is logged and the server keeps answering everyone else.
 */
export function keepRunningOnStrayErrors(): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection (the process keeps running)'));
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception (the process keeps running)'));
}

/**
 * config → database → LTI provider → HTTP server → background timers. `env` gives the /metrics
 * settings (METRICS_TOKEN, METRICS_PORT, METRICS_HOST: web/metrics.ts).
 */
export async function startTool(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<RunningTool> {
  const access = metricsAccess(env);
  keepRunningOnStrayErrors();
  const database = await openDatabase(config);
  await setupLti({ ltiKey: config.ltiKey, mongodbUri: database.uri, clockSkewSeconds: config.clockSkewSeconds });
  await ensureIndexes(); // ltijs registered its models during setup
  const app = createApp(config, access);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, '0.0.0.0', () => resolve(s)).once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const metricsServer = access.kind === 'port' ? await startMetricsServer(access) : undefined;
  const port = (server.address() as AddressInfo).port;
  setRetentionDays(config.retentionDays);
  onLearnerErased(eraseLaunchSessions);
  registerLearnerDataAreas();
  addMaintenanceTask(retireRotatedKeys);
  const stopExpiry = startExpiryTimer();
  const stopRetrain = startRetrainTimer(config.retrainIntervalHours, { adaptMinAnswers: config.adaptMinAnswers });
  const grades = startGradeWorker();
  const url = config.port === 0 ? `http://localhost:${port}` : config.publicUrl;
  log.info({ url, port }, 'Wayfinder listening');
  return {
    url,
    port,
    server,
    database,
    grades,
    metricsUrl: metricsServer?.url,
    close: async () => {
      stopExpiry();
      stopRetrain();
      await grades.stop();
      await metricsServer?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await database.close();
    },
  };
}
