// A second tool process on the test's database, for grades_workers.test.ts: its grade worker
// competes with the test process's worker for the same outbox.
import { loadConfig } from '../../src/config.js';
import { startTool } from '../../src/server.js';

const tool = await startTool(
  loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    PUBLIC_URL: 'http://localhost:1',
    MONGODB_URI: process.env.GRADES_CHILD_MONGODB_URI,
    LTI_KEY: process.env.GRADES_CHILD_LTI_KEY,
    ADMIN_TOKEN: 'child-admin-token-0123456789',
    DEV_LMS: '0',
  }),
);
tool.grades.options.pollMs = 20;
process.stdout.write(`ready ${tool.grades.id}\n`);
process.once('SIGTERM', () => {
  void tool.close().then(() => process.exit(0));
});
