import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Source changes Wayfinder applies to FerretDB before building it, each an exact text replacement
 * that must match once (a new FerretDB version with other source fails the build loudly rather than
 * building something unpatched). The build's directory name carries PATCH_LEVEL, so a binary built
 * before a patch existed is never reused.
 */
export interface SourcePatch {
  file: string;
  from: string;
  to: string;
  why: string;
}

export const FERRETDB_PATCHES: SourcePatch[] = [
  {
    // FerretDB creates the `_id` index as `_ferretdb_sjson->"_id"` but filters by `_ferretdb_sjson->'$._id'`:
    // the same value, yet SQLite matches an expression index only by the same expression, so every
    // `_id` read, update and delete scanned the whole table (measured: a find by `_id` 216 ms in a
    // collection of 1,000 documents of 300 events; EXPLAIN QUERY PLAN said SCAN). With the index's own
    // expression the plan is SEARCH … USING INDEX, whatever the collection's size.
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + \`->"_id"\``,
    why: 'filter by _id through the _id index',
  },
];

/** Bumped with every change to FERRETDB_PATCHES. */
export const PATCH_LEVEL = 'wayfinder.1';

/** Applies every patch to the source tree at `dir`; throws naming the patch that no longer applies. */
export function applyFerretDbPatches(dir: string, patches: SourcePatch[] = FERRETDB_PATCHES): void {
  for (const p of patches) {
    const path = join(dir, p.file);
    const source = readFileSync(path, 'utf8');
    const at = source.indexOf(p.from);
    if (at < 0 || source.indexOf(p.from, at + 1) >= 0) {
      throw new Error(`the patch "${p.why}" does not apply to ${p.file} (its text is not there exactly once): this FerretDB version needs the patch revisited`);
    }
    writeFileSync(path, source.replace(p.from, p.to));
  }
}
