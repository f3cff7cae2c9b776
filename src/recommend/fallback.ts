import type { Episode } from './data/episodes.js';
import type { Dataset, ItemRef } from './data/interactions.js';
import { IrtModel } from './models/irt.js';

/**
 * The predictor used while a course has no trained model: 1PL IRT whose item difficulties come
 * from the course's own statements (authored difficulty for items nobody answered yet), with the
 * learner's ability estimated per skill from their most recent answers on that skill. Per skill,
 * because knowing fractions says little about equations; recent, because learners learn.
 */
export const FALLBACK_VERSION = 'fallback:irt-per-skill';

/**
 * Answers on a skill that inform the ability estimate; older ones describe a learner who has since learned.
 * Two, not more: with four, a learner who has just learned a skill needs three or four right answers in a
 * row before the policy believes it, and those steps are wasted (robustness matrix in docs/recommender.md).
 */
const RECENT_PER_SKILL = 2;

/** Ability prior variance (logit scale) before the course has any answers. */
const UNFITTED_ABILITY_VARIANCE = 4;

/** Authored difficulty 0..1 on the IRT logit scale (0.5 is an average item for an average learner). */
const authoredLogit = (d: number) => 4 * (d - 0.5);

export class PerSkillIrt {
  constructor(readonly irt: IrtModel) {}

  /** Fits difficulties on the course's answers; items only in `items` get their authored difficulty. */
  static async fit(data: Dataset, items: ItemRef[]): Promise<PerSkillIrt> {
    const irt = new IrtModel();
    if (data.learners.some((l) => l.interactions.length > 0)) await irt.fit(data);
    // With no answers to learn the spread of abilities from, a wide prior lets a few answers speak.
    else irt.abilityVar = UNFITTED_ABILITY_VARIANCE;
    for (const item of items) if (!irt.difficulty.has(item.itemId)) irt.difficulty.set(item.itemId, authoredLogit(item.features?.[0] ?? 0.5));
    return new PerSkillIrt(irt);
  }

  /** One sub-episode per distinct skill set among the queries, with that skill's recent answers as support. */
  async predict(episodes: Episode[]): Promise<Float32Array[]> {
    return Promise.all(episodes.map((e) => this.predictOne(e)));
  }

  private async predictOne(e: Episode): Promise<Float32Array> {
    const out = new Float32Array(e.query.length);
    const groups = new Map<string, number[]>();
    e.query.forEach((q, i) => {
      const key = [...q.skills].sort().join('\u0000');
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const indices of groups.values()) {
      const skills = new Set(e.query[indices[0]].skills);
      const support = e.support.filter((x) => x.skills.some((s) => skills.has(s))).slice(-RECENT_PER_SKILL);
      const query = indices.map((i) => e.query[i]);
      const [p] = await this.irt.predict([
        { learnerId: e.learnerId, support, supportPos: support.map((_, i) => i), query, queryPos: query.map(() => support.length), offset: 0 },
      ]);
      indices.forEach((i, n) => (out[i] = p[n]));
    }
    return out;
  }
}
