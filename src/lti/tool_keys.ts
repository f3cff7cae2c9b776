import { generateKeyPairSync, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { log } from '../log.js';
import { lti } from './provider.js';

/**
 * Rotation of the tool's signing keys (one key pair per platform, kept by ltijs and published at
 * /lti/keys). A rotation adds a new pair and makes it the one ltijs signs with; the old public key
 * stays in the key set for an overlap window, so a platform that cached the key set still
 * verifies what was signed just before, and is retired afterwards.
 */
interface Rotation {
  _id: string; // the old kid
  platformUrl: string;
  clientId: string;
  newKid: string;
  rotatedAt: Date;
  retireAt: Date;
  retiredAt?: Date;
}
const RotationModel = mongoose.model<Rotation>(
  'KeyRotation',
  new Schema<Rotation>(
    { _id: String, platformUrl: String, clientId: String, newKid: String, rotatedAt: Date, retireAt: Date, retiredAt: Date },
    { versionKey: false },
  ).index({ retireAt: 1 }),
  'wf_key_rotations',
);

type LtijsDatabase = {
  Get(key: string | false, collection: string, query?: object): Promise<Record<string, unknown>[] | false>;
  Insert(key: string | false, collection: string, item: object, index?: object): Promise<unknown>;
  Modify(key: string | false, collection: string, query: object, modification: object): Promise<unknown>;
  Replace(key: string | false, collection: string, query: object, item: object, index?: object): Promise<unknown>;
  Delete(collection: string, query: object): Promise<unknown>;
};
const ltijsDb = () => (lti as unknown as { Database: LtijsDatabase }).Database;

export interface RotationResult {
  platformUrl: string;
  clientId: string;
  oldKid: string;
  newKid: string;
  retireAt: Date;
}

/** Rotates the signing key of every platform (or of the given issuer + client id). */
export async function rotateToolKeys(ltiKey: string, overlapHours: number, only?: { issuer: string; clientId: string }): Promise<RotationResult[]> {
  const db = ltijsDb();
  const platforms = ((await db.Get(false, 'platform')) || []) as { platformUrl: string; clientId: string; kid: string }[];
  const results: RotationResult[] = [];
  for (const p of platforms) {
    if (only && (p.platformUrl !== only.issuer || p.clientId !== only.clientId)) continue;
    // 2048-bit RSA is what RS256 needs; ltijs's 4096-bit keys cost seconds each to make.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const newKid = randomBytes(16).toString('hex');
    const index = { kid: newKid, platformUrl: p.platformUrl, clientId: p.clientId };
    await db.Insert(ltiKey, 'publickey', { key: publicKey, kid: newKid }, index);
    await db.Insert(ltiKey, 'privatekey', { key: privateKey, kid: newKid }, index);
    // ltijs keys a platform's active flag by its kid: carry it over before switching.
    const status = (await db.Get(false, 'platformStatus', { id: p.kid })) || [];
    const active = status.length ? Boolean(status[0].active) : true;
    await db.Replace(false, 'platformStatus', { id: newKid }, { id: newKid, active });
    await db.Modify(false, 'platform', { platformUrl: p.platformUrl, clientId: p.clientId }, { kid: newKid });
    const rotatedAt = new Date();
    const retireAt = new Date(rotatedAt.getTime() + overlapHours * 3600 * 1000);
    await RotationModel.create({ _id: p.kid, platformUrl: p.platformUrl, clientId: p.clientId, newKid, rotatedAt, retireAt });
    log.info({ platformUrl: p.platformUrl, oldKid: p.kid, newKid, retireAt }, 'tool signing key rotated');
    results.push({ platformUrl: p.platformUrl, clientId: p.clientId, oldKid: p.kid, newKid, retireAt });
  }
  return results;
}

/** Removes old keys whose overlap window has passed. */
export async function retireRotatedKeys(now = new Date()): Promise<string[]> {
  const due = await RotationModel.find({ retireAt: { $lte: now }, retiredAt: { $exists: false } }).lean<Rotation[]>();
  const db = ltijsDb();
  for (const r of due) {
    await db.Delete('publickey', { kid: r._id });
    await db.Delete('privatekey', { kid: r._id });
    await db.Delete('platformStatus', { id: r._id });
    await RotationModel.updateOne({ _id: r._id }, { $set: { retiredAt: now } });
    log.info({ kid: r._id }, 'retired a rotated tool signing key');
  }
  return due.map((r) => r._id);
}
