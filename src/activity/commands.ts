import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, requireOption, type CliCommand } from '../cli/command.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/index.js';
import { EXPORT_FORMATS, exportStatements, type ExportFormat } from './export.js';
import { rebuildAllStates } from './rebuild.js';

export const activityCommands: CliCommand[] = [
  {
    name: 'activity export',
    summary: "export a course's learner statements (ndjson, csv or xAPI 1.0.3 JSON), streamed",
    usage: `activity export --tenant TENANT_ID --course COURSE_ID [--format ${EXPORT_FORMATS.join('|')}] [--out FILE]`,
    options: { tenant: { type: 'string' }, course: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
    async run(v) {
      const tenantId = requireOption(v, 'tenant');
      const courseId = requireOption(v, 'course');
      const format = (v.format ?? 'ndjson') as ExportFormat;
      if (!EXPORT_FORMATS.includes(format)) throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${String(v.format)}"`);
      const config = loadConfig();
      const db = await openDatabase(config);
      try {
        const sink: Writable = typeof v.out === 'string' ? createWriteStream(v.out) : process.stdout;
        await pipeline(Readable.from(exportStatements({ tenantId, courseId }, format, config.publicUrl)), sink, { end: sink !== process.stdout });
        if (typeof v.out === 'string') console.error(`wrote ${v.out}`);
      } finally {
        await db.close();
      }
    },
  },
  {
    name: 'rebuild-state',
    summary: 'rebuild every learner state (what request paths read) from the statement log; safe while serving',
    usage: 'rebuild-state [--json]',
    options: { json: { type: 'boolean' } },
    async run(v) {
      const db = await openDatabase(loadConfig());
      try {
        const report = await rebuildAllStates({ onProgress: (n) => v.json || console.error(`  ${n} statements read`) });
        console.log(v.json ? JSON.stringify(report) : `rebuilt ${report.states} learner states from ${report.statements} statements; removed ${report.removed} stale`);
      } finally {
        await db.close();
      }
    },
  },
];
