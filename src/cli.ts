import { parseArgs } from 'node:util';
import { activityCommands } from './activity/commands.js';
import { CliError, type CliCommand } from './cli/command.js';
import { contentCommands } from './content/commands.js';
import { dbCommands } from './db/commands.js';
import { ConfigError } from './config.js';
import { NewerDatabaseError } from './db/migrations.js';
import { keyCommands, platformCommands } from './lti/commands.js';
import { recommendCommands } from './recommend/commands.js';
import { simulateCommand } from './recommend/simulate/command.js';
import { serveCommand } from './main.js';

/** `wayfinder`: one entry for serving, training, evaluating and administering. */
const commands: CliCommand[] = [serveCommand, ...dbCommands, ...platformCommands, ...keyCommands, ...activityCommands, ...contentCommands, ...recommendCommands, simulateCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: wayfinder <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `wayfinder <command> --help` for its options. Settings come from the environment (see README).',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const command =
    commands.find((c) => c.name.split(' ').every((w, i) => words[i] === w)) ?? undefined;
  if (!command) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      console.log(help());
      return 0;
    }
    console.error(`unknown command "${words.slice(0, 2).join(' ')}"\n\n${help()}`);
    return 2;
  }
  const rest = argv.slice(argv.indexOf(command.name.split(' ').at(-1)!) + 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: wayfinder ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
    return (await command.run(values as Record<string, string | boolean | string[] | undefined>, positionals)) ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`wayfinder ${command.name}: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof NewerDatabaseError) {
      console.error(`wayfinder ${command.name}: ${err.message}`);
      return 3;
    }
    if (err instanceof ConfigError) {
      console.error(`configuration problems:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
      return 78;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`wayfinder ${command.name}: ${(err as Error).message}\nUsage: wayfinder ${command.usage}`);
      return 2;
    }
    throw err;
  }
}

const exitCode = await runCli(process.argv.slice(2));
// Serving keeps the process alive; every other command ends here.
if (exitCode !== -1) process.exit(exitCode);
