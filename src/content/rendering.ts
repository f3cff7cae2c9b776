import type { Worker } from 'node:worker_threads';
import { log } from '../log.js';
import { startModuleWorker } from '../worker.js';
import type { Problem } from './check.js';
import type { Item } from './format.js';
import { nestingProblem, type RenderedField } from './markdown.js';

/**
 * Markdown is rendered once, when content is written (import, course copy, the migration of older
 * versions), and the sanitised HTML is stored with the content version; the student view only
 * reads it. Parsing runs in a worker thread, one field at a time with a time limit, after a
 * linear nesting check: hostile Markdown (issue 14, finding 4: 6 KB of `[a](` took marked 15 s)
 * costs at most the limit in that worker and never blocks the server's event loop.
 */

/** An item's Markdown fields as HTML, in the item's own shape (so `showItem` localises it alike). */
export type ItemHtml = Pick<Item, 'body' | 'hints' | 'feedback' | 'choices' | 'translations'>;
/** An item as stored: the file's record plus its rendered HTML. */
export type StoredItem = Item & { html?: ItemHtml };

/**
 * Maps every Markdown field of an item, in every language, with its place; keeps the item's shape.
 * Stored records may lack empty fields (the database drops an empty `feedback: {}`).
 */
function twin(item: Item, f: (place: string, md: string, inline: boolean) => string): ItemHtml {
  const feedback = (fb: Item['feedback'] | undefined, at: string) =>
    Object.fromEntries(Object.entries(fb ?? {}).flatMap(([k, v]) => (v ? [[k, f(`${at}.feedback.${k}`, v, false)]] : [])));
  return {
    body: f('.body', item.body ?? '', false),
    hints: (item.hints ?? []).map((h, i) => f(`.hints[${i}]`, h, false)),
    feedback: feedback(item.feedback, ''),
    choices: item.choices?.map((c, i) => ({
      id: c.id,
      text: f(`.choices[${i}].text`, c.text, true),
      ...(c.feedback ? { feedback: f(`.choices[${i}].feedback`, c.feedback, true) } : {}),
    })),
    translations: item.translations
      ? Object.fromEntries(
          Object.entries(item.translations).map(([lang, tr]) => {
            const at = `.translations.${lang}`;
            return [
              lang,
              {
                ...(tr.body ? { body: f(`${at}.body`, tr.body, false) } : {}),
                ...(tr.hints ? { hints: tr.hints.map((h, i) => f(`${at}.hints[${i}]`, h, false)) } : {}),
                ...(tr.feedback ? { feedback: feedback(tr.feedback, at) } : {}),
                ...(tr.choices ? { choices: Object.fromEntries(Object.entries(tr.choices).map(([id, t]) => [id, f(`${at}.choices.${id}`, t, true)])) } : {}),
              },
            ];
          }),
        )
      : undefined,
  };
}

/** A field as escaped text, for Markdown that was not (or could not be) rendered. */
const plain = (md: string) => (md ? `<p>${md.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>` : '');

/** What a page shows for an item stored without HTML: its text, escaped, never parsed. */
export const unrenderedHtml = (item: Item): ItemHtml => twin(item, (_, md) => plain(md));

export interface RenderRequest {
  id: number;
  md: string;
  inline: boolean;
}
export type RenderReply = { id: number } & RenderedField;

/** How long one field may take to render; ordinary Markdown takes well under a millisecond. */
let fieldTimeLimitMs = 2000;
/** For tests of the time limit. */
export function setFieldTimeLimit(ms: number): void {
  fieldTimeLimitMs = ms;
}

let current: Promise<Worker> | undefined;
let nextId = 0;
let queue: Promise<unknown> = Promise.resolve();

/** The shared worker, started on first use; it does not keep the process alive. */
function renderer(): Promise<Worker> {
  current ??= new Promise<Worker>((resolve, reject) => {
    const w = startModuleWorker(new URL('./markdown_worker', import.meta.url));
    w.unref();
    w.once('message', () => resolve(w)); // { ready: true }
    w.once('error', reject);
    w.once('exit', () => (current = undefined));
  }).catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** One field in the worker, or 'timeout' (the worker is then terminated; the next call starts a new one). */
async function inWorker(md: string, inline: boolean): Promise<RenderedField | 'timeout'> {
  const w = await renderer();
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
    };
    const onMessage = (m: RenderReply) => {
      if (m.id !== id) return;
      done();
      resolve({ html: m.html, problems: m.problems });
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const timer = setTimeout(() => {
      done();
      current = undefined;
      void w.terminate();
      resolve('timeout');
    }, fieldTimeLimitMs);
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage({ id, md, inline } satisfies RenderRequest);
  });
}

/** Fields go to the worker one at a time, so each one's time limit is its own. */
function renderOne(md: string, inline: boolean): Promise<RenderedField | 'timeout'> {
  const run = queue.then(() => inWorker(md, inline));
  queue = run.catch(() => undefined);
  return run;
}

export interface RenderResult {
  html: Map<string, ItemHtml>;
  /** Unsafe HTML, too deep nesting, too slow to render; each with its place, as the import reports it. */
  problems: Problem[];
}

/**
 * Renders every item's Markdown. A field with a problem gets its escaped text as HTML; after one
 * field runs out of time the rest are not parsed either (one hostile file costs one time limit).
 */
export async function renderItems(items: Item[]): Promise<RenderResult> {
  const problems: Problem[] = [];
  const html = new Map<string, ItemHtml>();
  let timedOut = false;
  for (const [index, item] of items.entries()) {
    const place = `items[${index}] (id "${item.id}")`;
    const fields: { at: string; md: string; inline: boolean }[] = [];
    twin(item, (at, md, inline) => (fields.push({ at, md, inline }), ''));
    const rendered = new Map<string, string>();
    for (const { at, md, inline } of fields) {
      if (!md) continue;
      const deep = nestingProblem(md);
      const r = deep || timedOut ? undefined : await renderOne(md, inline);
      if (deep) problems.push({ kind: 'markdown', place: place + at, message: deep });
      else if (r === 'timeout') {
        timedOut = true;
        problems.push({ kind: 'markdown', place: place + at, message: `the Markdown took longer than ${fieldTimeLimitMs / 1000} s to render: simplify it` });
      } else if (r) {
        rendered.set(at, r.html);
        problems.push(...r.problems.map((message) => ({ kind: 'unsafe_html' as const, place: place + at, message })));
      }
    }
    html.set(item.id, twin(item, (at, md) => rendered.get(at) ?? plain(md)));
  }
  if (timedOut) log.warn({ items: items.length }, 'content rendering stopped: a Markdown field ran out of time');
  return { html, problems };
}
