import mongoose from 'mongoose';
import { log } from '../log.js';
import { MONITOR_COMMANDS, watchClient } from './request_reads.js';

/**
 * One mongoose copy and one connection for the whole process (ltijs uses the same default
 * connection). Indexes are created explicitly by `ensureIndexes`, not by mongoose at model
 * compile time, because ltijs declares TTL indexes that FerretDB v1 rejects.
 */
mongoose.set('autoIndex', false);
mongoose.set('autoCreate', false);
mongoose.set('strictQuery', true);

export interface ConnectOptions {
  /** Attempts before giving up; the delay doubles from 250 ms up to 5 s between them. */
  attempts?: number;
}

export async function connectDatabase(uri: string, options: ConnectOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 8;
  let delay = 250;
  for (let i = 1; ; i++) {
    try {
      await mongoose.connect(uri, { serverSelectionTimeoutMS: 5000, ...MONITOR_COMMANDS });
      log.info({ database: mongoose.connection.name }, 'database connected');
      superviseConnection(uri);
      return;
    } catch (err) {
      if (i >= attempts) throw new Error(`cannot reach the database after ${attempts} attempts: ${(err as Error).message}`);
      log.warn({ attempt: i, err: (err as Error).message }, 'database not reachable yet, retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

let supervisor: NodeJS.Timeout | undefined;
const clients = new Set<mongoose.mongo.MongoClient>();

/**
 * A reconnect by `mongoose.connect` (ltijs's or ours) makes a new driver client while the old one,
 * never closed, goes on in the background and would keep the process alive after shutdown: every
 * client the connection ever had is remembered and closed by `disconnectDatabase`.
 */
const rememberClient = () => {
  clients.add(mongoose.connection.getClient());
  watchClient(mongoose.connection.getClient());
};

/**
 * Keeps the connection open for the life of the process. When the server goes away, ltijs's
 * connection listeners close the client and try to reconnect once; if that one attempt fails
 * (the server is still down), nothing ever reconnects. So: whenever the connection is closed and
 * no attempt is in flight, try again every second until it is back.
 */
function superviseConnection(uri: string): void {
  clearInterval(supervisor);
  rememberClient();
  mongoose.connection.off('connected', rememberClient).on('connected', rememberClient);
  let attempting = false;
  supervisor = setInterval(() => {
    if (attempting || mongoose.connection.readyState !== mongoose.ConnectionStates.disconnected) return;
    attempting = true;
    mongoose
      .connect(uri, { serverSelectionTimeoutMS: 5000, ...MONITOR_COMMANDS })
      .then(() => log.info({ database: mongoose.connection.name }, 'database reconnected'))
      .catch((err) => log.warn({ err: (err as Error).message }, 'database still unreachable, retrying'))
      .finally(() => (attempting = false));
  }, 1000);
  supervisor.unref();
}

export async function disconnectDatabase(): Promise<void> {
  clearInterval(supervisor);
  // ltijs reconnects whenever the connection drops; on purpose it must stay closed.
  mongoose.connection.removeAllListeners('disconnected');
  mongoose.connection.removeAllListeners('error');
  await mongoose.disconnect();
  await Promise.all([...clients].map((c) => c.close(true).catch(() => undefined)));
  clients.clear();
}

/** True when a ping round-trips; used by /healthz. */
export async function databaseHealthy(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return false;
  try {
    await db.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates every index the registered models declare, except TTL ones (expiry runs by query
 * in `expiry.ts`). Safe to run at every start.
 */
export async function ensureIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    for (const [fields, opts] of model.schema.indexes()) {
      const { expires: _e, expireAfterSeconds: _x, ...rest } = (opts ?? {}) as Record<string, unknown>;
      await model.collection.createIndex(fields as Record<string, 1 | -1>, rest);
    }
    for (const [path, type] of Object.entries(model.schema.paths)) {
      const o = (type as unknown as { options?: { index?: unknown; unique?: boolean } }).options;
      if (o?.unique) await model.collection.createIndex({ [path]: 1 }, { unique: true });
    }
  }
}

/** Whether an error is the database being unreachable (answer 503 and retry), not a bad request. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  return /MongoNetwork|MongoServerSelection|MongoNotConnected|MongoPoolClosed|MongoTopologyClosed/.test(name) ||
    /ECONNREFUSED|connection .* closed|Client must be connected|buffering timed out/i.test(String((err as Error)?.message));
}
