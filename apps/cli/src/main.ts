/**
 * The `strachey` command. Each subcommand lives in its own file under
 * commands/ and registers itself through commands/index.ts.
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index';
import { reportError } from './diagnostics';

// `pnpm strachey …` (root script) runs this file inside apps/cli; pnpm keeps the
// directory the user typed the command in as INIT_CWD, and that is where the
// user's relative paths (FILE, --out, --directory, --volumes) point.
const initCwd = process.env.INIT_CWD;
if (process.env.npm_lifecycle_event === 'strachey' && initCwd !== undefined && initCwd !== '') process.chdir(initCwd);

const program = new Command('strachey')
  .description('Classic virtualization as software: simulated mainframes, hypervisors and their measurements')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

for (const register of commands) register(program);

// A reader that goes away (`strachey run ... | head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportError(error);
  }
}
