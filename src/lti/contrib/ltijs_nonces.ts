import mongoose, { Schema } from 'mongoose';
import Auth from 'ltijs/dist/Utils/Auth.js';
import { addExpiryRule } from '../../db/expiry.js';

/**
 * ltijs refuses a replayed nonce by looking it up and then inserting it: two copies of one
 * id_token posted at once can both pass, and on FerretDB the lookup scans every stored nonce.
 * Here a nonce is the `_id` of a document, so the insert itself is the check — atomic on MongoDB
 * and FerretDB alike, and a key lookup. Nonces are kept two hours (longer than any platform's
 * id_token lives).
 */
const UsedNonce = mongoose.model(
  'UsedNonce',
  new Schema({ _id: String, createdAt: Date }, { versionKey: false }),
  'wf_used_nonces',
);
addExpiryRule({ collection: 'wf_used_nonces', field: 'createdAt', maxAgeSeconds: 2 * 3600 });

export function useUniqueNonces(): void {
  Auth.validateNonce = async (token: { nonce?: string; iss?: string }) => {
    if (!token.nonce) throw new Error('NONCE_MISSING');
    try {
      await UsedNonce.create({ _id: `${token.iss}\u0000${token.nonce}`, createdAt: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new Error('NONCE_ALREADY_RECEIVED');
      throw err;
    }
    return true;
  };
}
