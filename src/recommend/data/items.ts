import type { Dataset, ItemRef } from './interactions.js';

/** What an item space remembers, so a saved model featurizes items exactly as in training. */
export interface ItemSpaceJson {
  itemIds: string[];
  skillIds: string[];
  featureCount: number;
}

/**
 * The item representation: [unseen-item flag | item id one-hot | skill multi-hot | content features].
 * Models multiply it by learned matrices, so an item never seen in training still embeds
 * through its skills and features (and the shared unseen-item column).
 */
export class ItemSpace {
  private readonly itemIndex: Map<string, number>;
  private readonly skillIndex: Map<string, number>;

  constructor(readonly json: ItemSpaceJson) {
    this.itemIndex = new Map(json.itemIds.map((id, i) => [id, i]));
    this.skillIndex = new Map(json.skillIds.map((id, i) => [id, i]));
  }

  /**
   * Items answered fewer than `minAnswers` times get no id column: they embed like an unseen item
   * (skills, features, the unseen column), which both shrinks their estimate to their skills' and
   * trains the unseen column, so a newly imported item is predicted through what it shares.
   * `unseenShare` of the remaining items (a fixed choice by a hash of the id) get none either, so
   * the unseen column also learns where every item is answered often.
   */
  static fromDataset(dataset: Dataset, minAnswers = 1, unseenShare = 0): ItemSpace {
    const answers = new Map<string, number>();
    const skills = new Set<string>();
    let featureCount = 0;
    for (const learner of dataset.learners) {
      for (const x of learner.interactions) {
        answers.set(x.itemId, (answers.get(x.itemId) ?? 0) + 1);
        for (const s of x.skills) skills.add(s);
        featureCount = Math.max(featureCount, x.features?.length ?? 0);
      }
    }
    const frequent = [...answers].filter(([, n]) => n >= minAnswers).map(([id]) => id);
    const withheld = new Set([...frequent].sort((a, b) => idHash(a) - idHash(b) || (a < b ? -1 : 1)).slice(0, Math.ceil(unseenShare * frequent.length)));
    const itemIds = frequent.filter((id) => !withheld.has(id));
    return new ItemSpace({ itemIds, skillIds: [...skills], featureCount });
  }

  get width(): number {
    return 1 + this.json.itemIds.length + this.json.skillIds.length + this.json.featureCount;
  }

  /** Index of a known item, or -1 for one never seen in training. */
  itemIndexOf(itemId: string): number {
    return this.itemIndex.get(itemId) ?? -1;
  }

  /**
   * The item's nonzero feature columns and their values (the feature row is mostly zeros: one id
   * column among thousands), so models look up rows of their weights instead of multiplying by it.
   */
  sparse(item: ItemRef): { columns: number[]; values: number[] } {
    const known = this.itemIndex.get(item.itemId);
    const columns = [known === undefined ? 0 : 1 + known];
    const values = [1];
    const skillBase = 1 + this.json.itemIds.length;
    // Several skills share the weight so an item's embedding scale does not grow with its tag count.
    const skills = [...new Set(item.skills.map((s) => this.skillIndex.get(s)).filter((s): s is number => s !== undefined))];
    for (const s of skills) {
      columns.push(skillBase + s);
      values.push(1 / skills.length);
    }
    const featureBase = skillBase + this.json.skillIds.length;
    (item.features ?? []).slice(0, this.json.featureCount).forEach((v, i) => {
      columns.push(featureBase + i);
      values.push(v);
    });
    return { columns, values };
  }

  /** Writes the item's feature row into `row` (length `width`, zero-filled). */
  featurize(item: ItemRef, row: Float32Array): void {
    const { columns, values } = this.sparse(item);
    columns.forEach((c, i) => (row[c] = values[i]));
  }
}

/** FNV-1a of an id: a choice of items that is the same on every run and machine. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
