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

  static fromDataset(dataset: Dataset): ItemSpace {
    const items = new Set<string>();
    const skills = new Set<string>();
    let featureCount = 0;
    for (const learner of dataset.learners) {
      for (const x of learner.interactions) {
        items.add(x.itemId);
        for (const s of x.skills) skills.add(s);
        featureCount = Math.max(featureCount, x.features?.length ?? 0);
      }
    }
    return new ItemSpace({ itemIds: [...items], skillIds: [...skills], featureCount });
  }

  get width(): number {
    return 1 + this.json.itemIds.length + this.json.skillIds.length + this.json.featureCount;
  }

  /** Index of a known item, or -1 for one never seen in training. */
  itemIndexOf(itemId: string): number {
    return this.itemIndex.get(itemId) ?? -1;
  }

  /** Writes the item's feature row into `row` (length `width`, zero-filled). */
  featurize(item: ItemRef, row: Float32Array): void {
    const known = this.itemIndex.get(item.itemId);
    row[known === undefined ? 0 : 1 + known] = 1;
    const skillBase = 1 + this.json.itemIds.length;
    // Several skills share the weight so an item's embedding scale does not grow with its tag count.
    const skills = item.skills.map((s) => this.skillIndex.get(s)).filter((s): s is number => s !== undefined);
    for (const s of skills) row[skillBase + s] = 1 / skills.length;
    const featureBase = skillBase + this.json.skillIds.length;
    (item.features ?? []).slice(0, this.json.featureCount).forEach((v, i) => (row[featureBase + i] = v));
  }
}
