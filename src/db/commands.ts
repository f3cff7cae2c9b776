import type { CliCommand } from '../cli/command.js';
import { loadConfig } from '../config.js';
import { openDatabase } from './index.js';
import { migrate } from './migrations.js';

export const dbCommands: CliCommand[] = [
  {
    name: 'migrate',
    summary: 'apply pending data migrations (the server also does this at start)',
    usage: 'migrate [--json]',
    options: { json: { type: 'boolean' } },
    async run(v) {
      const db = await openDatabase(loadConfig()); // applies pending migrations on open
      try {
        const again = await migrate(); // reports the state; changes nothing now
        console.log(v.json ? JSON.stringify(again) : `database is at migration ${again.current}`);
      } finally {
        await db.close();
      }
    },
  },
];
