import assert from 'node:assert/strict';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser.js';
import { ADMIN, frameAt, MOODLE_URL, shown, signIn, toolCard, until } from './pages.js';
import { moodlePhp, startWayfinder, type RunningWayfinder } from './wayfinder.js';

/**
 * Wayfinder against a real Moodle 5.1, through Moodle's own pages (see ../shared/moodle/README.md):
 * registration (dynamic, "update" and manual), a teacher adding a pathway with "Select content",
 * students launching and answering quickly, Moodle's gradebook against Wayfinder's grades, the
 * roster from NRPS and a zh_cn student's pages in Chinese. Re-runs on the same site: reset.php
 * removes what an earlier run left in Moodle; Wayfinder starts on a fresh database.
 */
export const FIXTURE = resolve(process.env.MOODLE_FIXTURE_DIR ?? '../shared/moodle');
const MOODLE_DIR = process.env.MOODLE_DIR ?? '/opt/moodle';
const PORT = Number(process.env.TOOL_PORT ?? 3300);
const REGISTER = `http://localhost:${PORT}/lti/register`;

let wf: RunningWayfinder;
/** bench:moodle runs this journey with more answers and collects what it measures. */
const bench = {
  out: process.env.MOODLE_BENCH_OUT,
  answers: Number(process.env.MOODLE_ANSWERS ?? 10),
  answered: [] as { name: string; at: number }[],
  sends: [] as { name: string; eventAt: number; at: number }[],
  finals: [] as { name: string; wayfinder: number; moodle?: number }[],
  settled: false,
  collect: undefined as Promise<{ name: string; eventAt: number; at: number }[]> | undefined,
};
let browser: Browser;
let courseId = 0;
const fail = async (page: Page, name: string, err: unknown): Promise<never> => {
  const shot = await screenshot(page, `moodle-${name}`).catch(() => '');
  throw new Error(`${(err as Error).message}${shot ? `\nscreenshot: ${shot}` : ''}\nWayfinder's log: ${wf?.logFile}`);
};
/** Runs a step on a page; a failure says what the page showed and leaves a screenshot. */
async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return fail(page, name, err);
  }
}

before(async () => {
  assert.ok(
    existsSync(resolve(FIXTURE, 'setup.sh')),
    `test:moodle needs the Moodle fixture at ${FIXTURE} (../shared/moodle next to the repository, or MOODLE_FIXTURE_DIR): it is not part of Wayfinder`,
  );
  const up = await fetch(`${MOODLE_URL}/login/index.php`).then((r) => r.status, (e: Error) => e.message);
  assert.equal(up, 200, `Moodle does not answer at ${MOODLE_URL} (${up}): run TOOL_PORTS="${PORT}" bash ${FIXTURE}/setup.sh`);
  // www-data may not read the checkout: run a copy, as setup.sh does with mkcourse.php.
  copyFileSync('test/moodle/reset.php', '/tmp/wayfinder-moodle-reset.php');
  courseId = Number(moodlePhp(MOODLE_DIR, '/tmp/wayfinder-moodle-reset.php', [`http://localhost:${PORT}`]).course);
  wf = await startWayfinder(PORT);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await wf?.stop();
});

interface Platform {
  _id: string;
  issuer: string;
  clientId: string;
  status: string;
  source: string;
  deployments: { id: string; status: string; tenantId: string }[];
}
const platforms = async () => ((await wf.admin('GET', '/api/admin/platforms')).body.platforms ?? []) as Platform[];

describe('Wayfinder in a real Moodle', () => {
  let dynamic: Platform;
  let manual: Platform;

  test('dynamic registration from Manage tools, approval in Wayfinder, activation in Moodle', async () => {
    const { context, page } = await signIn(browser, ADMIN.username, ADMIN.password);
    await step(page, 'register', async () => {
      await page.goto(`${MOODLE_URL}/mod/lti/toolconfigure.php`);
      await page.fill('#tool-url', REGISTER);
      await page.click('#tool-create-button');
      await until('the Wayfinder tool card, pending', async () => (await toolCard(page, 'Wayfinder').innerText()).includes('Pending'), page);
      dynamic = await until('Wayfinder to hold a pending Moodle platform', async () => (await platforms()).find((p) => p.issuer === MOODLE_URL && p.source === 'dynamic'), page);
      assert.equal(dynamic.status, 'pending', 'a dynamically registered platform waits for approval');
      const approved = await wf.admin('POST', `/api/admin/platforms/${dynamic._id}/approve`, {});
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      await toolCard(page, 'Wayfinder').getByText('Activate').click();
      await until('the tool card to be active', async () => !(await toolCard(page, 'Wayfinder').innerText()).includes('Pending'), page);
    });
    await screenshot(page, 'moodle-registered');
    await step(page, 'activity-chooser', async () => {
      // Moodle leaves a registered tool out of the activity chooser until the admin puts it there.
      await page.goto((await toolCard(page, 'Wayfinder').locator('a.edit').getAttribute('href'))!);
      await page.selectOption('#id_lti_coursevisible', '2');
      await page.click('#id_submitbutton');
      await until('Manage tools again', async () => page.url().includes('toolconfigure.php'), page);
    });
    await context.close();
  });

  test('"update" re-registration keeps one platform in Wayfinder, still active', async () => {
    const { context, page } = await signIn(browser, ADMIN.username, ADMIN.password);
    await step(page, 'reregister', async () => {
      await page.goto(`${MOODLE_URL}/mod/lti/toolconfigure.php`);
      await page.fill('#tool-url', REGISTER);
      await page.click('#tool-create-button');
      // Moodle asks whether to update the tool already registered from this domain.
      const update = await until('Moodle\'s "Update" choice', async () => {
        for (const f of page.frames()) {
          const b = f.getByRole('button', { name: 'Update', exact: true });
          if (await b.count()) return b.first();
        }
        return undefined;
      }, page);
      await update.click();
      await until('the registration frame to close', async () => !page.frames().some((f) => f.url().startsWith(`http://localhost:${PORT}`)), page);
      await until('Wayfinder to log the update', async () => wf.log().includes('platform re-registered dynamically (update)'), page);
      const mine = (await platforms()).filter((p) => p.issuer === MOODLE_URL && p.source === 'dynamic');
      assert.equal(mine.length, 1, `one Moodle platform after the update: ${JSON.stringify(mine)}`);
      assert.equal(mine[0].clientId, dynamic.clientId);
      assert.equal(mine[0].status, 'active', 'the update keeps the approval');
      assert.ok(!(await toolCard(page, 'Wayfinder').first().innerText()).includes('Pending'));
    });
    await context.close();
  });

  test('manual registration: Moodle\'s form, then `wayfinder platforms add` with its details', async () => {
    const { context, page } = await signIn(browser, ADMIN.username, ADMIN.password);
    await step(page, 'manual', async () => {
      await page.goto(`${MOODLE_URL}/mod/lti/toolconfigure.php`);
      await page.goto((await page.locator('a', { hasText: /configure a tool manually/i }).getAttribute('href'))!);
      const tool = `http://localhost:${PORT}`;
      await page.locator('a.collapseexpand').first().click();
      await page.fill('#id_lti_typename', 'Wayfinder (manual)');
      await page.fill('#id_lti_toolurl', `${tool}/lti/launch`);
      await page.selectOption('#id_lti_ltiversion', '1.3.0');
      await page.selectOption('#id_lti_keytype', 'JWK_KEYSET');
      await page.fill('#id_lti_publickeyset', `${tool}/lti/keys`);
      await page.fill('#id_lti_initiatelogin', `${tool}/lti/login`);
      await page.fill('#id_lti_redirectionuris', `${tool}/lti/launch`);
      await page.selectOption('#id_lti_coursevisible', '2');
      // This one opens in a new window: the other journey through Moodle.
      await page.selectOption('#id_lti_launchcontainer', '4');
      await page.check('#id_lti_contentitem');
      await page.fill('#id_lti_toolurl_ContentItemSelectionRequest', `${tool}/lti/launch`);
      await page.selectOption('#id_ltiservice_gradesynchronization', '2');
      await page.selectOption('#id_ltiservice_memberships', '1');
      await page.selectOption('#id_lti_sendname', '1');
      await page.click('#id_submitbutton');
      const card = toolCard(page, 'Wayfinder (manual)');
      await until('the manual tool card', async () => (await card.count()) === 1, page);
      const [clientId, deploymentId] = [await card.getAttribute('data-clientid'), await card.getAttribute('data-deploymentid')];
      assert.ok(clientId && deploymentId, 'Moodle shows the client id and deployment id');
      const added = wf.cli([
        'platforms', 'add', '--issuer', MOODLE_URL, '--client-id', clientId, '--deployment-id', deploymentId,
        '--auth-url', `${MOODLE_URL}/mod/lti/auth.php`, '--token-url', `${MOODLE_URL}/mod/lti/token.php`, '--jwks-url', `${MOODLE_URL}/mod/lti/certs.php`,
      ]);
      const listed = (await platforms()).find((p) => p.clientId === clientId);
      assert.equal(listed?.status, 'active', `the CLI registered the platform active: ${JSON.stringify(added)}`);
      assert.deepEqual(listed?.deployments.map((d) => d.id), [deploymentId]);
      manual = listed!;
    });
    await context.close();
  });

  const activities: { name: string; cmid: number; window: boolean }[] = [];

  test('a teacher adds a pathway through "Select content" with each tool (embedded; new window)', async () => {
    const { context, page } = await signIn(browser, 'teacher1');
    for (const a of [
      { name: 'Algebra readiness (embedded)', window: false, platform: dynamic },
      { name: 'Algebra readiness (new window)', window: true, platform: manual },
    ]) {
      wf.cli(['seed-demo', '--tenant', a.platform.deployments[0].tenantId, '--content-only']);
      await step(page, 'select-content', async () => {
        const typeId = a.platform.deployments[0].id;
        await page.goto(`${MOODLE_URL}/course/modedit.php?add=lti&course=${courseId}&section=0&return=0&typeid=${typeId}`);
        await page.click('#id_selectcontent');
        const picker = await frameAt(page, `http://localhost:${PORT}/`);
        await until('the pathway picker', async () => (await picker.locator('#pick-pathway-algebra-readiness').count()) === 1, picker);
        await picker.check('#pick-pathway-algebra-readiness');
        await picker.getByRole('button', { name: 'Add to course' }).click();
        await until('Moodle to take the chosen content', async () => (await page.locator('#id_selectcontentindicator').innerText()).trim().length > 0, page);
        await page.fill('#id_name', a.name);
        await page.click('#id_submitbutton2');
        await until('the course page with the activity', async () => page.url().includes('/course/view.php') && (await page.getByText(a.name).count()) > 0, page);
        const href = await page.locator('a', { hasText: a.name }).first().getAttribute('href');
        activities.push({ name: a.name, window: a.window, cmid: Number(new URL(href!).searchParams.get('id')) });
      });
    }
    await context.close();
  });

  /** The tool's page in a launch from Moodle: inside Moodle's iframe, or in the window Moodle opens. */
  async function openActivity(context: BrowserContext, page: Page, a: (typeof activities)[number]): Promise<Frame> {
    const tool = `http://localhost:${PORT}/`;
    await page.goto(`${MOODLE_URL}/mod/lti/view.php?id=${a.cmid}`);
    if (!a.window) return frameAt(page, tool);
    const win = await until('the new window', async () => context.pages().find((p) => p.url().startsWith(tool)), page, 45_000);
    await win.waitForLoadState();
    return win.mainFrame();
  }

  async function launch(username: string, a: (typeof activities)[number]) {
    const { context, page } = await signIn(browser, username);
    return step(page, `launch-${username}`, async () => ({ context, page, tool: await openActivity(context, page, a) }));
  }

  const answers: [string, string][] = [
    ['add-sub-1', '49'], ['add-sub-2', '40'], ['add-sub-3', '36'], ['mult-1', '36'], ['mult-2', '47'],
    ['mult-4', '105'], ['div-1', '4'], ['div-2', '3'], ['div-3', '8'], ['add-sub-2', '47'],
  ];
  const learners: { username: string; name: string; lang: string }[] = [
    { username: 'student1', name: 'Sam Student', lang: 'en' },
    { username: 'student2', name: 'Sue Student', lang: 'zh' },
  ];

  test('students launch (embedded, new window), the zh_cn student gets Chinese pages; both answer quickly (≤ 0.5 s apart)', async () => {
    const open = [];
    for (const [i, who] of learners.entries()) {
      const { context, page, tool } = await launch(who.username, activities[i]);
      await step(page, `language-${who.username}`, async () => {
        const lang = await tool.locator('html').getAttribute('lang');
        assert.ok(lang?.startsWith(who.lang), `${who.username} sees pages in ${who.lang}: html lang=${lang}\n${await shown(tool)}`);
        if (who.lang === 'zh') assert.match(await tool.locator('body').innerText(), /[\u4e00-\u9fff]/, 'Chinese text on the page');
      });
      open.push({ context, page, tool, who });
    }
    const sends = bench.out ? watchSends() : undefined;
    // Both students at once, each answer 0.3–0.5 s after the previous one.
    await Promise.all(
      open.map(({ page, tool, who }) =>
        step(page, `answer-${who.username}`, async () => {
          const ltik = new URL(tool.url()).searchParams.get('ltik')!;
          for (let k = 0; k < bench.answers; k++) {
            const [item, text] = answers[k % answers.length];
            const started = Date.now();
            const status = await tool.evaluate(async ([item, text, ltik]) => {
              const res = await fetch(`/student/items/${item}/answer`, { method: 'POST', body: new URLSearchParams({ ltik, pathway: 'algebra-readiness', text }) });
              return res.status;
            }, [item, text, ltik]);
            assert.equal(status, 200, `answering ${item}`);
            bench.answered.push({ name: who.name, at: started });
            await new Promise((r) => setTimeout(r, Math.max(0, 300 + (k % 3) * 100 - (Date.now() - started))));
          }
        }),
      ),
    );
    bench.collect = sends?.(() => bench.settled);
    for (const o of open) await o.context.close();
  });

  test("Moodle's gradebook ends equal to Wayfinder's grade for each student; the roster comes from NRPS", async () => {
    for (const [i, who] of learners.entries()) {
      const { context, page } = await signIn(browser, 'teacher1');
      await step(page, `gradebook-${who.username}`, async () => {
        const tool = await openActivity(context, page, activities[i]);
        // A teacher opening the activity sees the student view as a preview, with a way to the dashboard.
        await tool.getByRole('link', { name: 'Open the teacher dashboard' }).click();
        await until('the teacher dashboard', async () => new URL(tool.url()).pathname.startsWith('/teacher'), tool);
        const ltik = new URL(tool.url()).searchParams.get('ltik');
        const course = await until('a course link', async () => (await tool.locator('a[href*="/teacher/courses/"]').first().getAttribute('href'))?.match(/\/teacher\/courses\/([^/?]+)/)?.[1], tool);
        const settled = await until(`Wayfinder's grade for ${who.name} to be acknowledged by Moodle`, async () => {
          const res = await fetch(`${wf.url}/api/courses/${course}/grades`, { headers: { authorization: `Bearer ${ltik}` } });
          const grades = ((await res.json()) as { grades: Grade[] }).grades;
          const g = grades.find((x) => x.name === who.name);
          return g && g.state === 'sent' && g.lastSent?.given === g.score.given ? g : undefined;
        }, tool, 60_000);
        const expected = (settled.score.given / settled.score.maximum) * 100;
        bench.finals.push({ name: who.name, wayfinder: expected });
        const report = await context.newPage();
        await until(`Moodle's gradebook to show ${expected.toFixed(2)} for ${who.name} (${activities[i].name})`, async () => {
          await report.goto(`${MOODLE_URL}/grade/report/grader/index.php?id=${courseId}`);
          const shows = await moodleGrade(report, who.name, 'Algebra readiness');
          // Moodle shows two decimals.
          if (shows.length === 1) bench.finals.at(-1)!.moodle = shows[0];
          return shows.length === 1 && Math.abs(shows[0] - expected) < 0.006;
        }, report, 30_000);
        await tool.getByRole('link', { name: 'Roster' }).first().click();
        await until('the NRPS roster with both students', async () => {
          const text = await tool.locator('body').innerText();
          return learners.every((l) => text.includes(l.name)) && text.includes('Course roster');
        }, tool);
      });
      await context.close();
    }
    bench.settled = true;
    if (bench.collect) writeBench(await bench.collect);
  });
});

function writeBench(sends: typeof bench.sends) {
  const log = wf.log();
  const count = (msg: string) => log.split('\n').filter((l) => l.includes(msg)).length;
  writeFileSync(bench.out!, JSON.stringify({ answered: bench.answered, sends, finals: bench.finals, resends: count('grades: will send a newer score'), retries: count('grades: will retry') }));
}

/**
 * For bench:moodle (MOODLE_BENCH_OUT): every score Moodle acknowledged, read from Wayfinder's
 * slot records (the event time it carried and when Moodle answered) until `done()`.
 */
function watchSends() {
  const seen = new Map<string, { name: string; eventAt: number; at: number }>();
  const db = mongoose.createConnection(wf.mongoUri);
  let stop = false;
  const polling = (async () => {
    await db.asPromise();
    while (!stop) {
      const slots = await db.db!.collection('wf_grade_slots').find({}).toArray();
      for (const s of slots) {
        const sent = s.lastSent as { eventAt: Date; at: Date } | undefined;
        if (sent) seen.set(`${s._id}@${new Date(sent.at).getTime()}`, { name: String(s.name), eventAt: new Date(sent.eventAt).getTime(), at: new Date(sent.at).getTime() });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async (done: () => boolean) => {
    await until('the grades to settle', async () => done() || (await new Promise((r) => setTimeout(() => r(false), 200))), undefined, 180_000);
    stop = true;
    await polling;
    await db.close();
    return [...seen.values()];
  };
}

interface Grade {
  name?: string;
  state: string;
  score: { given: number; maximum: number };
  lastSent?: { given: number };
}

/**
 * The grade Moodle's grader report shows for a learner in the column the deep link created
 * (labelled with the pathway's title). Each student has answered in one activity only, so the
 * learner's one graded cell among those columns is the one.
 */
async function moodleGrade(page: Page, learner: string, column: string): Promise<number[]> {
  return page.evaluate(([learner, column]) => {
    const table = document.querySelector('table#user-grades');
    if (!table) return [];
    const ids = [...table.querySelectorAll('th[data-itemid]')].filter((th) => th.textContent?.includes(column)).map((th) => th.getAttribute('data-itemid'));
    const row = [...table.querySelectorAll('tr')].find((tr) => tr.querySelector('th')?.textContent?.includes(learner));
    return ids
      .map((id) => Number.parseFloat(row?.querySelector(`td[data-itemid="${id}"] .gradevalue`)?.textContent?.trim().replace(',', '.') ?? ''))
      .filter((n) => !Number.isNaN(n));
  }, [learner, column]);
}
