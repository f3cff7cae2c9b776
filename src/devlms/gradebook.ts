import type { Router } from 'express';
import { gradebookOf } from './ags.js';
import { demoCourses } from './demo.js';
import { membersOf } from './nrps.js';
import { render } from './render.js';
import type { LmsState } from './state.js';

/** `/dev/lms/gradebook`: what the LMS holds per course — columns across, people down — and recent score posts. */
export function gradebookRoutes(router: Router, state: LmsState): void {
  router.get('/dev/lms/gradebook', (req, res) => {
    const courseId = typeof req.query.course === 'string' ? req.query.course : demoCourses[0].id;
    const book = gradebookOf(state, courseId);
    const cell = new Map(book.results.map((r) => [`${r.lineItemId}\u0000${r.userId}`, r]));
    const people = membersOf(state, courseId);
    const known = new Set(people.map((m) => m.user.sub));
    const extra = [...new Set(book.results.map((r) => r.userId))].filter((u) => !known.has(u));
    const rows = [
      ...people.map((m) => ({ sub: m.user.sub, name: m.user.name })),
      ...extra.map((sub) => ({ sub, name: sub })),
    ].map((p) => ({
      ...p,
      cells: book.lineItems.map((l) => {
        const r = cell.get(`${l.id}\u0000${p.sub}`);
        return r
          ? {
              score: r.resultScore === null ? '—' : +r.resultScore.toFixed(2),
              max: r.resultMaximum,
              at: r.timestamp,
              progress: r.activityProgress,
            }
          : undefined;
      }),
    }));
    render(res, 'gradebook', {
      title: 'Gradebook',
      courses: demoCourses,
      courseId,
      lineItems: book.lineItems,
      rows,
      received: book.received.slice(-20).reverse(),
    });
  });
}
