import mongoose, { Schema } from 'mongoose';
import Auth from 'ltijs/dist/Utils/Auth.js';
import { addExpiryRule } from '../../db/expiry.js';

/**
 * ltijs refuses a replayed nonce by looking it up and then inserting it: two copies of one
 * id_token posted at once can both pass, and on FerretDB the lookup scans every stored nonce.
 * Here a nonce is the `_id` of a document, so the insert itself is the check — atomic on MongoDB
 * and FerretDB alike, and a key lookup. A used nonce is kept until its token can no longer be
 * accepted (`exp` plus the clock-skew leeway), however far away the platform set `exp`.
 */
const UsedNonce = mongoose.model(
  'UsedNonce',
  new Schema({ _id: String, createdAt: Date, keepUntil: Date }, { versionKey: false }),
  'wf_used_nonces',
);
addExpiryRule({ collection: 'wf_used_nonces', field: 'keepUntil', maxAgeSeconds: 60 });

export function useUniqueNonces(clockSkewSeconds: number): void {
  Auth.validateNonce = async (token: { nonce?: string; iss?: string; exp?: number }) => {
    if (!token.nonce) throw new Error('NONCE_MISSING');
    const now = Date.now();
    const exp = typeof token.exp === 'number' ? token.exp * 1000 : now;
    const keepUntil = new Date(Math.max(now, exp) + clockSkewSeconds * 1000);
    try {
      await UsedNonce.create({ _id: `${token.iss}\u0000${token.nonce}`, createdAt: new Date(now), keepUntil });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new Error('NONCE_ALREADY_RECEIVED');
      throw err;
    }
    return true;
  };
}
