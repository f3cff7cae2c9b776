// bench:moodle — quick answers from two students against a real Moodle 5.1 (the test:moodle
// journey with MOODLE_ANSWERS answers each, 0.3–0.5 s apart, both at once): score POSTs and 409s
// from Apache's access log, resends and retries from Wayfinder's log, lost grades (Moodle's
// gradebook against Wayfinder's grade), answer → Moodle-gradebook latency (from the answer that
// changed the grade until Moodle acknowledged the score carrying it). Table, then one JSON line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ACCESS_LOG = process.env.MOODLE_ACCESS_LOG ?? '/var/log/apache2/moodle-access.log';
const perStudent = Number(process.env.MOODLE_ANSWERS ?? 25);
const out = join(mkdtempSync(join(tmpdir(), 'bench-moodle-')), 'measured.json');
const logStart = existsSync(ACCESS_LOG) ? statSync(ACCESS_LOG).size : 0;
const started = Date.now();
const run = spawnSync('npx', ['tsx', 'test/moodle/run.ts'], {
  stdio: 'inherit',
  env: { ...process.env, MOODLE_ANSWERS: String(perStudent), MOODLE_BENCH_OUT: out },
});
if (run.status !== 0 || !existsSync(out)) {
  console.error(`bench:moodle: the Moodle journey failed (exit ${run.status}); nothing measured`);
  process.exit(1);
}
const m = JSON.parse(readFileSync(out, 'utf8')) as {
  answered: { name: string; at: number }[];
  sends: { name: string; eventAt: number; at: number }[];
  finals: { name: string; wayfinder: number; moodle?: number }[];
  resends: number;
  retries: number;
};
const lines = readFileSync(ACCESS_LOG).subarray(logStart).toString('utf8').split('\n');
const scorePosts = lines.filter((l) => /"POST [^"]*\/scores/.test(l));
const status = (l: string) => Number(/" (\d{3}) /.exec(l)?.[1]);
const accepted = scorePosts.filter((l) => status(l) === 200).length;
const conflicts = scorePosts.filter((l) => status(l) === 409).length;
// Per acknowledged score: from the answer that produced it (the learner's latest answer before
// the grade change it carries) to Moodle's answer. Answers that left the grade unchanged send nothing.
const latencies = m.sends
  .map((send) => {
    const answer = m.answered.filter((a) => a.name === send.name && a.at <= send.eventAt).sort((x, y) => y.at - x.at)[0];
    return answer ? send.at - answer.at : undefined;
  })
  .filter((l): l is number => l !== undefined)
  .sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
const lost = m.finals.filter((f) => f.moodle === undefined || Math.abs(f.moodle - f.wayfinder) >= 0.006).length;
const result = {
  answers: m.answered.length,
  students: m.finals.length,
  scorePosts: scorePosts.length,
  accepted,
  conflicts409: conflicts,
  resends: m.resends,
  retries: m.retries,
  lostGrades: lost,
  acknowledgedScores: latencies.length,
  latencyP50Ms: Math.round(pct(50)),
  latencyP99Ms: Math.round(pct(99)),
  runSeconds: Math.round((Date.now() - started) / 1000),
};
console.log('\n| measure | value |\n|---|---|');
for (const [k, v] of Object.entries(result)) console.log(`| ${k} | ${v} |`);
for (const f of m.finals) console.log(`# ${f.name}: Wayfinder ${f.wayfinder.toFixed(2)}, Moodle ${f.moodle ?? 'none'}`);
console.log(JSON.stringify({ bench: 'moodle', ...result }));
process.exit(lost ? 1 : 0);
