import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEMO_FILE } from '../../../src/content/demo.js';
import type { ContentFile } from '../../../src/content/format.js';
import { isGraded } from '../../../src/recommend/data/activity.js';
import { DEFAULT_POLICY_SETTINGS, decide, skillStates, type DecisionKind, type PolicyInput, type PolicyItem, type Step } from '../../../src/recommend/policy.js';
import { reasonFor } from '../../../src/recommend/reasons.js';
import { makeRng } from '../../../src/recommend/random.js';
import { translate } from '../../../src/web/i18n.js';

const demo = JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as ContentFile;
const itemsById = new Map(demo.items.map((i) => [i.id, i]));
const prerequisites = new Map(demo.skills.map((s) => [s.id, s.prerequisites ?? []]));
const pathwayItems = (id: string): PolicyItem[] =>
  demo.pathways.find((p) => p.id === id)!.items.map((i) => ({ id: i, skills: itemsById.get(i)!.skills, graded: isGraded(itemsById.get(i)!) }));

function input(items: PolicyItem[], steps: Step[], predicted: Map<string, number>, overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { items, prerequisites, steps, predicted, settings: { ...DEFAULT_POLICY_SETTINGS }, rng: makeRng(1), ...overrides };
}

test('prerequisites are never violated (random histories and predictions on the whole demo course)', () => {
  const items = pathwayItems('algebra-readiness');
  const rng = makeRng(7);
  for (let trial = 0; trial < 1500; trial++) {
    const steps: Step[] = Array.from({ length: Math.floor(rng() * 40) }, () => {
      const item = items[Math.floor(rng() * items.length)];
      return { itemId: item.id, correct: item.graded ? rng() < 0.7 : undefined };
    });
    const predicted = new Map(items.filter((i) => i.graded).map((i) => [i.id, rng()]));
    const pin = input(items, steps, predicted, { rng, settings: { ...DEFAULT_POLICY_SETTINGS, exploration: 0.3 } });
    const d = decide(pin)!;
    const states = skillStates(pin);
    for (const skill of itemsById.get(d.itemId)!.skills) {
      for (const pre of prerequisites.get(skill) ?? []) {
        if (states.has(pre)) assert.ok(states.get(pre)!.mastered, `trial ${trial}: ${d.itemId} (${skill}) offered before prerequisite ${pre} is mastered`);
      }
    }
  }
});

test('no answers yet: a diagnostic item of a skill without prerequisites', () => {
  const items = pathwayItems('arithmetic');
  const d = decide(input(items, [], new Map(items.filter((i) => i.graded).map((i) => [i.id, 0.6]))))!;
  assert.equal(d.kind, 'diagnostic');
  assert.deepEqual(itemsById.get(d.itemId)!.skills, ['add-sub']);
});

test('a mastered skill is not drilled; practice aims at the difficulty target', () => {
  const items = pathwayItems('arithmetic');
  const addSub = items.filter((i) => i.graded && i.skills.includes('add-sub'));
  const steps: Step[] = addSub.slice(0, 3).map((i) => ({ itemId: i.id, correct: true }));
  // The model is sure about add-sub now; multiplication items spread around the target.
  const predicted = new Map(items.filter((i) => i.graded).map((i, n) => [i.id, i.skills.includes('add-sub') ? 0.95 : 0.3 + (n % 5) * 0.12]));
  for (let t = 0; t < 10; t++) {
    const d = decide(input(items, steps, predicted, { rng: makeRng(t) }))!;
    assert.ok(!itemsById.get(d.itemId)!.skills.includes('add-sub'), `step ${t}: ${d.itemId} drills mastered add-sub`);
    steps.push({ itemId: d.itemId, correct: d.predicted === undefined ? undefined : false });
  }
  const seen: Step[] = [...addSub.slice(0, 3).map((i) => ({ itemId: i.id, correct: true })), { itemId: 'mult-read' }];
  const practice = decide(input(items, seen, predicted, { settings: { ...DEFAULT_POLICY_SETTINGS, exploration: 0 } }))!;
  assert.equal(practice.kind, 'practice');
  const open = items.filter((i) => i.graded && (i.skills.includes('mult') || i.skills.includes('negatives')));
  const best = Math.min(...open.map((i) => Math.abs(predicted.get(i.id)! - 0.7)));
  assert.equal(Math.abs(practice.predicted! - 0.7), best);
});

test('a mastered skill comes back after the spacing interval', () => {
  const items = pathwayItems('arithmetic');
  const addSub = items.filter((i) => i.graded && i.skills.includes('add-sub'));
  const mult = items.filter((i) => i.graded && i.skills.includes('mult'));
  const steps: Step[] = [...addSub.slice(0, 2).map((i) => ({ itemId: i.id, correct: true })), ...Array.from({ length: 25 }, (_, t) => ({ itemId: mult[t % mult.length].id, correct: t % 2 === 0 }))];
  const predicted = new Map(items.filter((i) => i.graded).map((i) => [i.id, i.skills.includes('add-sub') ? 0.9 : 0.5]));
  const d = decide(input(items, steps, predicted, { settings: { ...DEFAULT_POLICY_SETTINGS, exploration: 0 } }))!;
  assert.equal(d.kind, 'review');
  assert.equal(d.skill, 'add-sub');
});

test('the item on screen and recent items are not offered again', () => {
  const items = pathwayItems('arithmetic');
  const predicted = new Map(items.filter((i) => i.graded).map((i) => [i.id, 0.7]));
  const steps: Step[] = [{ itemId: 'add-sub-1', correct: false }, { itemId: 'add-sub-2', correct: false }];
  const d = decide(input(items, steps, predicted, { current: 'add-sub-3', settings: { ...DEFAULT_POLICY_SETTINGS, exploration: 0 } }))!;
  assert.ok(!['add-sub-1', 'add-sub-2', 'add-sub-3'].includes(d.itemId), d.itemId);
});

test('reasons cite the evidence, in English and Simplified Chinese', () => {
  const evidence = { skill: 'frac-add', attempts: 3, correct: 2, predicted: 0.6, mastered: false, open: true, lastStep: 4 };
  const kinds: DecisionKind[] = ['diagnostic', 'introduce', 'practice', 'review', 'explore', 'maintain'];
  for (const kind of kinds) {
    const reason = reasonFor({ itemId: 'x', kind, skill: 'frac-add', predicted: 0.71, evidence, stepsSinceSkill: 21 }, kind === 'practice' ? 'Adding fractions' : '分数加法');
    const en = translate('en', reason.key, reason.params);
    const zh = translate('zh-Hans', reason.key, reason.params);
    assert.notEqual(en, reason.key, `${reason.key} is missing in en`);
    assert.notEqual(zh, reason.key, `${reason.key} is missing in zh-Hans`);
    assert.notEqual(en, zh);
    for (const text of [en, zh]) assert.doesNotMatch(text, /[{}]/, `unfilled parameter in "${text}"`);
    assert.match(zh, /[\u4e00-\u9fff]/);
    if (kind !== 'introduce') assert.match(en, /71%/);
  }
  const practice = reasonFor({ itemId: 'x', kind: 'practice', skill: 'frac-add', predicted: 0.7, evidence, stepsSinceSkill: 1 }, 'fraction');
  assert.equal(translate('en', practice.key, practice.params), 'You answered 2 of 3 fraction items correctly; this one should stretch you (about 70% chance)');
});
