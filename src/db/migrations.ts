import mongoose from 'mongoose';
import { rebuildAllStates } from '../activity/rebuild.js';
import type { Item } from '../content/format.js';
import type { ContentEntry } from '../content/model.js';
import { rebuildOverrideLists } from '../content/overrides.js';
import { rebuildGradeIndexes } from '../grades/rebuild.js';
import { renderItems } from '../content/rendering.js';
import { log } from '../log.js';
import { pointActiveVersions } from '../recommend/store.js';

/**
 * Versioned data migrations, run at every start (and by `wayfinder migrate`). Each one is
 * idempotent — a second run changes nothing — and is recorded in `wf_migrations` under its
 * number once applied. A database that records a migration this code does not know was written
 * by a newer Wayfinder: the process refuses to start rather than misread it.
 */
export interface Migration {
  id: number;
  name: string;
  up(db: mongoose.mongo.Db): Promise<number>; // documents changed
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

export const migrations: Migration[] = [
  {
    id: 1,
    name: 'statements carry the UTC day they happened (for per-day aggregation on FerretDB)',
    async up(db) {
      let changed = 0;
      for await (const s of db.collection('wf_statements').find({ day: { $exists: false } }, { projection: { timestamp: 1 } })) {
        const day = utcDay(new Date(s.timestamp ?? Date.now()));
        changed += (await db.collection('wf_statements').updateOne({ _id: s._id, day: { $exists: false } }, { $set: { day } })).modifiedCount;
      }
      return changed;
    },
  },
  {
    id: 2,
    name: 'platforms have explicit deployment auto-approval and granted scopes',
    async up(db) {
      const platforms = db.collection('wf_platforms');
      const a = await platforms.updateMany({ autoApproveDeployments: { $exists: false } }, { $set: { autoApproveDeployments: false } });
      const b = await platforms.updateMany({ grantedScopes: { $exists: false } }, { $set: { grantedScopes: [] } });
      return a.modifiedCount + b.modifiedCount;
    },
  },
  {
    id: 3,
    name: 'content items carry their Markdown rendered to sanitised HTML (pages no longer parse Markdown)',
    async up(db) {
      const entries = db.collection<ContentEntry>('wf_content_entries');
      let changed = 0;
      for await (const e of entries.find({ kind: 'item', html: { $exists: false } })) {
        // Refused or slow fields get their escaped text: stored content is shown, never re-parsed.
        const { html } = await renderItems([e.doc as unknown as Item]);
        changed += (await entries.updateOne({ _id: e._id }, { $set: { html: html.get(e.id) } })).modifiedCount;
      }
      return changed;
    },
  },
  {
    id: 4,
    name: 'learner states and course learner lists built from the statement log; statements listed in expiry buckets',
    async up() {
      return (await rebuildAllStates({ alsoExpiryBuckets: true })).states;
    },
  },
  {
    id: 5,
    name: "teachers' active pins and skips listed per learner (Next up reads them by _id)",
    up: rebuildOverrideLists,
  },
  {
    id: 6,
    name: "each course's graded links listed, each live grade delivery in its slot's log (the drill-down, retries and the outbox worker read by _id)",
    up: rebuildGradeIndexes,
  },
  {
    id: 7,
    name: "each scope's active model version recorded in one pointer document (serving reads it by _id)",
    up: () => pointActiveVersions(),
  },
];

export class NewerDatabaseError extends Error {}

export interface MigrationReport {
  applied: { id: number; name: string; changed: number }[];
  current: number;
}

export async function migrate(list: Migration[] = migrations): Promise<MigrationReport> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('migrate needs an open database connection');
  const records = db.collection<{ _id: number; name: string; appliedAt: Date }>('wf_migrations');
  const done = await records.find().toArray();
  const known = Math.max(0, ...list.map((m) => m.id));
  const newer = done.filter((r) => r._id > known).sort((a, b) => b._id - a._id)[0];
  if (newer) {
    throw new NewerDatabaseError(
      `this database was migrated by a newer Wayfinder (migration ${newer._id}: "${newer.name}"); this version knows migrations up to ${known}. Run the newer version, or restore a backup taken before the upgrade.`,
    );
  }
  const applied: MigrationReport['applied'] = [];
  for (const m of [...list].sort((a, b) => a.id - b.id)) {
    if (done.some((r) => r._id === m.id)) continue;
    const changed = await m.up(db);
    try {
      await records.insertOne({ _id: m.id, name: m.name, appliedAt: new Date() });
    } catch (err) {
      // Another process starting at the same time applied it too; both runs were idempotent.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    log.info({ migration: m.id, name: m.name, changed }, 'migration applied');
    applied.push({ id: m.id, name: m.name, changed });
  }
  return { applied, current: known };
}
