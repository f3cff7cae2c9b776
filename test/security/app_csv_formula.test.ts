// Issue 14, finding 18 (CSV part) — the CSV export's formula guard missed a leading newline and
// the full-width `＝` (and ＋ － ＠): a learner's response opened in a spreadsheet as a formula.
// Now one guard (src/web/csv.ts) serves every CSV written, and catches those too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import { csvCell } from '../../src/web/csv.js';
import { namedLaunches, startToolAndLms, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
const { ltiks, sessions, launch } = namedLaunches(() => env);
before(async () => {
  env = await startToolAndLms({ LABEL: 'app_csv_formula' });
  await launch('student', { role: 'student', user: '4', course: '2' });
  await launch('teacher', { role: 'teacher', user: '3', course: '2' });
});
after(async () => env.close());

const HOSTILE = ['\n=HYPERLINK("https://evil.example","x")', '＝1+1', '＋1', '－1', '＠SUM(A1)', ' =1+1', '\t=1', '\r=1', '\u200b=1', '﹦1', '\u22121', '=1', '+1', '-1', '@A1'];
const ORDINARY = ['x = 2', '42', '3/4', 'a-b', 'user@example.edu', '二分之一'];

describe('finding 18: CSV cells a spreadsheet would run as formulas are defused', () => {
  test('a learner’s responses and object ids come out of the teacher’s CSV export with a leading apostrophe; ordinary text unchanged', async () => {
    const values = [...HOSTILE, ...ORDINARY];
    const statements = values.map((response, i) => ({ verb: 'attempted', object: { id: i === 0 ? '＝cmd|x' : `item-${i}`, kind: 'item' }, result: { response } }));
    const posted = await request(env.tool.url).post('/api/activity').set('Authorization', `Bearer ${ltiks.student}`).send({ statements });
    assert.equal(posted.status, 200, posted.text);

    const res = await request(env.tool.url).get(`/api/courses/${sessions.teacher.courseId}/activity/export?format=csv`).set('Authorization', `Bearer ${ltiks.teacher}`);
    assert.equal(res.status, 200, res.text.slice(0, 200));
    const rows = new Map((parseCsv(res.text, { columns: true }) as Record<string, string>[]).map((r) => [r.id, r]));
    (posted.body.ids as string[]).forEach((id, i) => {
      const row = rows.get(id);
      assert.ok(row, `statement ${i} is in the export`);
      const expected = i < HOSTILE.length ? `'${values[i]}` : values[i];
      assert.equal(row.response, expected, `response ${JSON.stringify(values[i])}`);
    });
    assert.equal(rows.get(posted.body.ids[0])!.object_id, "'＝cmd|x");
  });

  test('the one guard: quoting, dates, numbers and objects as before', () => {
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
    assert.equal(csvCell(0.5), '0.5');
    assert.equal(csvCell(new Date('2024-05-01T10:00:00Z')), '2024-05-01T10:00:00.000Z');
    assert.equal(csvCell({ hint: 1 }), '"{""hint"":1}"');
    assert.equal(csvCell(undefined), '');
  });
});
