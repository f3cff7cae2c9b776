import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepFrom, markRemoved, type SlotLive } from '../../../src/grades/slot_log.js';

const now = Date.parse('2026-11-02T10:00:00Z');
const slotWith = (entries: [delivery: string, found: boolean, secondsAgo: number][]): SlotLive => ({
  slot: 's',
  record: null,
  docs: [],
  from: 3,
  end: 3 + entries.length,
  entries: entries.map(([delivery, found, ago], i) => ({ n: 3 + i, delivery, found, at: new Date(now - ago * 1000) })),
});

test("the log's start moves past deliveries gone, waits at one being inserted, and at once past one this process removed", () => {
  const live = () => false;
  // A recent entry whose delivery is missing may be a producer between its two inserts: kept.
  assert.equal(keepFrom(slotWith([['gone-old', false, 120], ['maybe-inserting', false, 5], ['x', false, 1]]), live, now), 4);
  // The same entry, its delivery deleted here (sent or dropped): passed at once.
  markRemoved('maybe-inserting');
  markRemoved('x');
  assert.equal(keepFrom(slotWith([['gone-old', false, 120], ['maybe-inserting', false, 5], ['x', false, 1]]), live, now), 6);
  // A live delivery still holds the log.
  assert.equal(keepFrom(slotWith([['maybe-inserting', false, 5], ['failed-1', true, 3]]), (d) => d === 'failed-1', now), 4);
});
