import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { addExpiryRule } from '../../db/expiry.js';

/**
 * Admin console sessions after an `ADMIN_TOKEN` sign-in. The browser holds an opaque random id;
 * the database holds only its hash, with the session's CSRF synchronizer token. Expiry is by
 * query (FerretDB v1 has no TTL indexes): a lookup ignores expired sessions, and the periodic
 * expiry rule deletes them.
 */
export const ADMIN_SESSION_HOURS = 8;

interface AdminSession {
  _id: string;
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

const AdminSessionModel = mongoose.model<AdminSession>(
  'AdminSession',
  new Schema<AdminSession>({ _id: String, csrf: String, createdAt: Date, expiresAt: Date }, { versionKey: false }).index({ expiresAt: 1 }),
  'wf_admin_sessions',
);
addExpiryRule({ collection: 'wf_admin_sessions', field: 'createdAt', maxAgeSeconds: ADMIN_SESSION_HOURS * 3600 });

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');

export async function createAdminSession(now = new Date()): Promise<{ id: string; csrf: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + ADMIN_SESSION_HOURS * 3600 * 1000);
  await AdminSessionModel.create({ _id: hash(id), csrf, createdAt: now, expiresAt });
  return { id, csrf, expiresAt };
}

export async function findAdminSession(id: string, now = new Date()): Promise<{ csrf: string } | null> {
  // By `_id` alone (FerretDB scans for any second field), the expiry checked here.
  const s = await AdminSessionModel.findById(hash(id), { csrf: 1, expiresAt: 1 }).lean<{ csrf: string; expiresAt: Date }>();
  return s && +s.expiresAt > +now ? { csrf: s.csrf } : null;
}

export async function endAdminSession(id: string): Promise<void> {
  await AdminSessionModel.deleteOne({ _id: hash(id) });
}
