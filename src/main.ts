import type { CliCommand } from './cli/command.js';
import { announceStart, startFacts } from './cli/start_block.js';
import { loadConfig, type Config } from './config.js';
import { log, setLogLevel } from './log.js';
import { startTool, type RunningTool } from './server.js';

/** Process entry for `wayfinder serve` (and `npm start`): the tool, and the dev LMS beside it in development. */
export async function serve(config: Config): Promise<RunningTool> {
  setLogLevel(config.logLevel);
  const tool = await startTool(config);
  const devLms = config.devLms ? await startDevLmsBeside(config) : undefined;
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await devLms?.stop();
    await tool.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  announceStart(startFacts(config, tool.url, tool.database, devLms?.url), Boolean(config.adminToken));
  return tool;
}

/**
 * The dev LMS on its own host name and port (cross-site from the tool, as in a real deployment),
 * registered with the tool as a platform and knowing the tool, so `/dev/lms` can launch at once.
 */
async function startDevLmsBeside(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  const { startDevLms } = await import('./devlms/index.js');
  const { addPlatform, findPlatform, removePlatform } = await import('./lti/platforms.js');
  const lms = await startDevLms({
    port: config.devLmsPort,
    host: '127.0.0.1',
    toolUrl: config.publicUrl,
    clientId: 'wayfinder-dev',
    deploymentId: '1',
    preRegistered: {
      clientId: 'wayfinder-dev',
      toolJwksUrl: `${config.publicUrl}/lti/keys`,
      loginUrl: `${config.publicUrl}/lti/login`,
      launchUrl: `${config.publicUrl}/lti/launch`,
      deepLinking: true,
    },
  });
  const reg = lms.registration();
  const existing = await findPlatform(reg.issuer, reg.clientId);
  if (existing && existing.jwksUrl !== reg.jwksUrl) await removePlatform(existing._id);
  if (!existing || existing.jwksUrl !== reg.jwksUrl) {
    await addPlatform({ ...reg, name: 'Wayfinder dev LMS' }, { source: 'dev' });
  }
  const { devLmsTenant, seedDemoContent } = await import('./content/demo.js');
  await seedDemoContent(devLmsTenant(config.devLmsPort));
  // The demo's model trains in the background (worker thread) only when the tenant has none yet.
  const { ensureDemoModel } = await import('./recommend/demo.js');
  void ensureDemoModel(devLmsTenant(config.devLmsPort), reg.issuer).catch((err: Error) => log.warn({ err: err.message }, 'demo: could not train the demo model'));
  log.info({ url: `${lms.url}/dev/lms` }, 'dev LMS ready: open it to launch Wayfinder');
  return { url: lms.url, stop: () => lms.stop() };
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the tool (embedded database and dev LMS in development)',
  usage: 'serve',
  async run() {
    await serve(loadConfig());
    return -1;
  },
};
