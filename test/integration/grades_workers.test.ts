import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { submitGrade } from '../../src/grades/index.js';
import { claims, slots } from '../../src/grades/model.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { change, newStudent, receivedFor, until } from './grades_support.js';

let env: ToolAndLms;
let child: ChildProcess;
let childWorker: string;

before(async () => {
  env = await startToolAndLms({ LABEL: 'grades_workers' });
  env.tool.grades.options.pollMs = 20;
  child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./grades_worker_child.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        GRADES_CHILD_MONGODB_URI: env.tool.config.mongodbUri,
        GRADES_CHILD_LTI_KEY: env.tool.config.ltiKey,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  childWorker = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ready (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the second tool process exited early (${code})`)));
  });
});

after(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await env.close();
});

test('two tool processes on one database never send the same outbox record twice', async () => {
  env.lms.faults.latencyMs = 10;
  const subs = Array.from({ length: 200 }, () => newStudent(env, undefined, 'pair'));
  await Promise.all(subs.map((sub, i) => submitGrade(change(env, sub, i % 101))));
  await until(
    'all 200 grades to be sent',
    async () => (await slots().countDocuments({ sub: { $in: subs }, state: 'sent' })) === subs.length,
    90_000,
  );
  const scorePosts = env.lms.faults.requests.filter((r) => r.startsWith('POST ') && r.includes('/scores'));
  assert.equal(scorePosts.length, subs.length, 'one score request per grade, none repeated');
  for (const sub of subs) assert.equal(receivedFor(env, sub).length, 1, `${sub} received once`);

  const won = await claims()
    .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$worker', n: { $sum: 1 } } }])
    .toArray();
  const byWorker = new Map(won.map((w) => [w._id, w.n]));
  assert.ok((byWorker.get(childWorker) ?? 0) > 0, 'the second process sent some');
  assert.ok((byWorker.get(env.tool.grades.id) ?? 0) > 0, 'the first process sent some');
});
