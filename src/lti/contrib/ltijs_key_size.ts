import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Auth from 'ltijs/dist/Utils/Auth.js';

/**
 * ltijs makes each platform's tool key pair with 4096-bit RSA, synchronously: seconds of a
 * blocked event loop per registration. RS256 needs 2048 bits (what Moodle and Canvas use), and
 * generating off the main thread keeps the server answering. Stored exactly as ltijs stores it.
 */
type LtijsDatabase = {
  Get(key: string | false, collection: string, query: object): Promise<unknown[] | false>;
  Replace(key: string | false, collection: string, query: object, item: object, index: object): Promise<unknown>;
};

export function useFasterPlatformKeys(): void {
  Auth.generatePlatformKeyPair = async (encryptionKey: string, db: LtijsDatabase, platformUrl: string, clientId: string) => {
    let kid = randomBytes(16).toString('hex');
    while (await db.Get(false, 'publickey', { kid })) kid = randomBytes(16).toString('hex');
    const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const index = { kid, platformUrl, clientId };
    await db.Replace(encryptionKey, 'publickey', { platformUrl, clientId }, { key: publicKey, kid }, index);
    await db.Replace(encryptionKey, 'privatekey', { platformUrl, clientId }, { key: privateKey, kid }, index);
    return kid;
  };
}
