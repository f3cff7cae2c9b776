/**
 * A database plugin for ltijs (`Provider.setup(key, { plugin })`) that stores every document under
 * an `_id` derived from the fields ltijs looks it up by, so its reads on a launch are single `_id`
 * equalities — the one filter FerretDB v1 pushes down — instead of scans of whole collections.
 *
 * The `_id` scheme (for anything that finds these documents by `_id`, e.g. expiry):
 *
 *   collection (ltijs model → MongoDB collection)   `_id`
 *   platform        → platforms        JSON.stringify([platformUrl, clientId])
 *   platformStatus  → platformstatuses id (the platform's kid)
 *   publickey       → publickeys       kid
 *   privatekey      → privatekeys      kid
 *   accesstoken     → accesstokens     JSON.stringify([platformUrl, clientId, scopes])
 *   idtoken         → idtokens         JSON.stringify([iss, clientId, deploymentId, user])
 *   contexttoken    → contexttokens    JSON.stringify([contextId, user])
 *   state           → states           state
 *   nonce           → nonces           nonce (unused: lti/contrib/ltijs_nonces.ts keeps its own)
 *
 * i.e. one key field: its value; several: the JSON array of their values in this order. Every
 * write sets `createdAt` (ltijs's schemas default it; expiry and ltijs's access-token age read it).
 * Documents written before this plugin (ObjectId `_id`s) of the long-lived collections are re-keyed
 * at start; the short-lived ones (states, id and context tokens) simply expire.
 *
 * Platforms and their status are read on every login and launch and change rarely: they are kept
 * in-process for CACHE_MS, dropped at once when this process writes them; another process's change
 * (the CLI) is seen within CACHE_MS, while Wayfinder's own checks read `wf_platforms` each launch.
 */
import LtijsDatabase from 'ltijs/dist/Utils/Database.js';
import mongoose from 'mongoose';

type Doc = Record<string, unknown>;
type Key = string | false;

const KEY_FIELDS: Record<string, readonly string[]> = {
  platform: ['platformUrl', 'clientId'],
  platformStatus: ['id'],
  publickey: ['kid'],
  privatekey: ['kid'],
  accesstoken: ['platformUrl', 'clientId', 'scopes'],
  idtoken: ['iss', 'clientId', 'deploymentId', 'user'],
  contexttoken: ['contextId', 'user'],
  state: ['state'],
  nonce: ['nonce'],
};
const CACHED = new Set(['platform', 'platformStatus']);
const REKEYED_AT_START = ['platform', 'platformStatus', 'publickey', 'privatekey', 'accesstoken'];
const CACHE_MS = 30_000;

function keyFields(collection: string): readonly string[] {
  const fields = KEY_FIELDS[collection];
  if (!fields) throw new Error(`ltijs collection "${collection}" has no _id scheme`);
  return fields;
}

/** The `_id` for these fields, or undefined when one of the key fields is missing or not a string. */
export function ltijsId(collection: string, fields: Doc): string | undefined {
  const values = keyFields(collection).map((f) => fields[f]);
  if (values.some((v) => typeof v !== 'string')) return undefined;
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

/** A lookup names exactly the key fields: one `_id`. Anything else is a filter (rare paths only). */
const exactId = (collection: string, query: Doc | undefined) =>
  query && Object.keys(query).length === keyFields(collection).length ? ltijsId(collection, query) : undefined;

const withoutId = ({ _id: _ignored, __v: _v, ...rest }: Doc) => rest;

export class KeyedLtijsDatabase extends LtijsDatabase {
  private readonly cache = new Map<string, { doc: Doc | null; until: number }>();

  private native(collection: string) {
    return mongoose.model(collection).collection;
  }

  private forget(collection: string): void {
    if (CACHED.has(collection)) for (const k of this.cache.keys()) if (k.startsWith(`${collection}\n`)) this.cache.delete(k);
  }

  private async byId(collection: string, id: string): Promise<Doc | null> {
    const cacheKey = `${collection}\n${id}`;
    const hit = CACHED.has(collection) ? this.cache.get(cacheKey) : undefined;
    if (hit && hit.until > Date.now()) return hit.doc;
    const doc = (await this.native(collection).findOne({ _id: id as never })) as Doc | null;
    // Misses are not kept: a platform registered by another process is found on its first launch.
    if (doc && CACHED.has(collection)) this.cache.set(cacheKey, { doc, until: Date.now() + CACHE_MS });
    return doc;
  }

  /** The documents a query names: one by `_id`, or (off the launch path) a filter. */
  private async find(collection: string, query: Doc | undefined): Promise<Doc[]> {
    const id = exactId(collection, query);
    if (id !== undefined) {
      const doc = await this.byId(collection, id);
      return doc ? [doc] : [];
    }
    return (await this.native(collection).find(query ?? {}).toArray()) as Doc[];
  }

  async Get(encryptionKey: Key, collection: string, query?: Doc): Promise<Doc[] | false> {
    const docs = await this.find(collection, query);
    if (docs.length === 0) return false;
    if (!encryptionKey) return docs.map(withoutId);
    return Promise.all(
      docs.map(async (d) => {
        const plain = JSON.parse(await this.Decrypt(d.data as string, d.iv as string, encryptionKey)) as Doc;
        return d.createdAt ? { ...plain, createdAt: new Date(d.createdAt as Date).getTime() } : plain;
      }),
    );
  }

  private async stored(encryptionKey: Key, item: Doc, index?: Doc): Promise<Doc> {
    if (!encryptionKey) return item;
    const { iv, data } = await this.Encrypt(JSON.stringify(item), encryptionKey);
    return { ...index, iv, data };
  }

  private idFor(collection: string, ...sources: (Doc | undefined)[]): string {
    const id = ltijsId(collection, Object.assign({}, ...sources.reverse()));
    if (id === undefined) throw new Error(`ltijs ${collection} document lacks its key fields (${keyFields(collection).join(', ')})`);
    return id;
  }

  async Insert(encryptionKey: Key, collection: string, item: Doc, index?: Doc): Promise<true> {
    if (!collection || !item || (encryptionKey && !index)) throw new Error('MISSING_PARAMS');
    const doc = await this.stored(encryptionKey, item, index);
    await this.native(collection).insertOne({ ...doc, _id: this.idFor(collection, index, item) as never, createdAt: new Date() });
    this.forget(collection);
    return true;
  }

  async Replace(encryptionKey: Key, collection: string, query: Doc, item: Doc, index?: Doc): Promise<true> {
    if (!collection || !item || (encryptionKey && !index)) throw new Error('MISSING_PARAMS');
    const doc = await this.stored(encryptionKey, item, index);
    // The key comes from the query where it names the key fields, else from what is stored.
    const id = exactId(collection, query) ?? this.idFor(collection, query, index, item);
    await this.native(collection).replaceOne({ _id: id as never }, { ...doc, createdAt: new Date() }, { upsert: true });
    this.forget(collection);
    return true;
  }

  async Modify(encryptionKey: Key, collection: string, query: Doc, modification: Doc): Promise<true> {
    if (!collection || !query || !modification) throw new Error('MISSING_PARAMS');
    const [found] = await this.find(collection, query);
    if (!found) return true;
    let next: Doc;
    if (encryptionKey) {
      const plain = JSON.parse(await this.Decrypt(found.data as string, found.iv as string, encryptionKey)) as Doc;
      const [field, value] = Object.entries(modification)[0];
      next = { ...found, ...(await this.Encrypt(JSON.stringify({ ...plain, [field]: value }), encryptionKey)) };
    } else next = { ...found, ...modification };
    const id = ltijsId(collection, next) ?? (found._id as string);
    const col = this.native(collection);
    if (id === found._id) {
      await col.replaceOne({ _id: id as never }, withoutId(next));
    } else {
      // A key field changed (a platform's URL or client id): the document moves to its new `_id`
      // (the old one out first, as ltijs's unique indexes hold its other fields).
      await col.deleteOne({ _id: found._id as never });
      await col.insertOne({ ...withoutId(next), _id: id as never });
    }
    this.forget(collection);
    return true;
  }

  async Delete(collection: string, query: Doc): Promise<true> {
    if (!collection || !query) throw new Error('MISSING_PARAMS');
    const col = this.native(collection);
    const id = exactId(collection, query);
    if (id !== undefined) await col.deleteOne({ _id: id as never });
    else for (const d of await this.find(collection, query)) await col.deleteOne({ _id: d._id as never });
    this.forget(collection);
    return true;
  }

  /** Moves documents written before this plugin (ObjectId `_id`s) to their derived `_id`s. */
  async rekeyExisting(): Promise<number> {
    let moved = 0;
    for (const collection of REKEYED_AT_START) {
      const col = this.native(collection);
      for (const d of (await col.find({ _id: { $type: 'objectId' } }).toArray()) as Doc[]) {
        const id = ltijsId(collection, d);
        if (id === undefined) continue;
        // Old copy out first: ltijs's unique indexes (kid; platformUrl + clientId) hold both copies' fields.
        await col.deleteOne({ _id: d._id as never });
        try {
          await col.replaceOne({ _id: id as never }, { createdAt: new Date(), ...withoutId(d) }, { upsert: true });
        } catch (err) {
          await col.insertOne(d);
          throw err;
        }
        moved++;
      }
    }
    return moved;
  }
}
