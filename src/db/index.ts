import type { Config } from '../config.js';
import { log } from '../log.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from './connection.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { migrate } from './migrations.js';

export interface Database {
  uri: string;
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

/**
 * Opens the process's one database connection: MONGODB_URI when set, otherwise the embedded
 * server with its data under DATA_DIR.
 */
export async function openDatabase(config: Pick<Config, 'mongodbUri' | 'dataDir'>): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbedded(config.dataDir);
    uri = `${embedded.uri}wayfinder`;
    log.info({ kind: embedded.kind, uri }, 'embedded database started');
  }
  await connectDatabase(uri);
  try {
    await migrate();
  } catch (err) {
    await disconnectDatabase();
    await embedded?.stop();
    throw err;
  }
  await ensureIndexes();
  return {
    uri,
    embedded,
    close: async () => {
      await disconnectDatabase();
      await embedded?.stop();
    },
  };
}
