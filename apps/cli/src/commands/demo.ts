/**
 * `strachey demo [--scenario NAME|FILE] [--budget N] [--guest FILE] [--json]`:
 * run a demonstration scenario (demo/), show a live status line on a
 * terminal, and print its report as text or JSON. The default scenario is
 * the composed mainframe; `--scenario FILE.yaml` (or .json) changes its
 * partitions, weights, storage, users, their commands and the simulated
 * time. Exit code 0 when every
 * check passed, 1 when a result differs from its reference or the budget ran
 * out first, 2 for bad arguments, 3 when the simulated machine check-stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../diagnostics';
import { exitCodeOf, findScenario, renderJson, SCENARIOS } from '../demo/index';
import { createProgress, type StatusStream } from '../progress';

/** Options of `strachey demo`, as commander parses them. */
export interface DemoCommandOptions {
  readonly scenario?: string;
  readonly budget?: string;
  readonly guest?: string;
  readonly json?: boolean;
}

/** Where the command writes (the process, or a test's buffers). */
export interface DemoIo {
  stdout(text: string): void;
  /** Stream for the live status line. */
  readonly status: StatusStream;
}

const PROCESS_IO: DemoIo = {
  stdout: (t) => process.stdout.write(t),
  status: process.stderr,
};

const SUFFIX: Readonly<Record<string, number>> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/** "250000", "250k", "50M", "1G" → an instruction count; anything else is an argument error. */
export function parseBudget(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$/.exec(text);
  const value = m ? Math.round(Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1)) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UserError(
      {
        code: 'DEMO_BUDGET',
        message: `--budget expects a positive instruction count such as 250000, 250k or 50M, found '${text}'`,
      },
      2,
    );
  }
  return value;
}

/** Run `strachey demo` and return its exit code. */
/** A scenario file: a .yaml/.yml/.json name, or any path that exists. */
const isScenarioFile = (name: string): boolean => /\.(ya?ml|json)$/i.test(name) || existsSync(name);

export async function runDemo(options: DemoCommandOptions, io: DemoIo = PROCESS_IO): Promise<number> {
  const name = options.scenario ?? SCENARIOS[0]!.name;
  let scenario = findScenario(name);
  let scenarioFile: { file: string; text: string } | undefined;
  if (scenario === undefined && isScenarioFile(name)) {
    try {
      scenarioFile = { file: name, text: readFileSync(name, 'utf8') };
    } catch (error) {
      throw new UserError(
        { code: 'READ', file: name, message: `cannot read the scenario file: ${(error as Error).message}` },
        2,
      );
    }
    scenario = SCENARIOS[0]!;
  }
  if (scenario === undefined) {
    throw new UserError(
      {
        code: 'DEMO_SCENARIO',
        message: `no scenario '${name}'; expected one of: ${SCENARIOS.map((s) => s.name).join(', ')}, or a scenario file (.yaml, .json)`,
      },
      2,
    );
  }
  let guestSource: { file: string; text: string } | undefined;
  if (options.guest !== undefined) {
    try {
      guestSource = { file: options.guest, text: readFileSync(options.guest, 'utf8') };
    } catch (error) {
      throw new UserError(
        {
          code: 'READ',
          file: options.guest,
          message: `cannot read the guest source: ${(error as Error).message}`,
        },
        2,
      );
    }
  }
  const budget = options.budget === undefined ? undefined : parseBudget(options.budget);
  const progress = createProgress({ stream: io.status, quiet: options.json === true });
  const run = await scenario.start({
    progress,
    ...(budget !== undefined ? { budget } : {}),
    ...(guestSource !== undefined ? { guestSource } : {}),
    ...(scenarioFile !== undefined ? { scenarioFile } : {}),
  });
  progress.done();
  io.stdout(options.json === true ? renderJson(run.report) : run.text());
  return exitCodeOf(run.report);
}

/** Register `strachey demo` on the program. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a demonstration system on the simulated machine and report what it did')
    .option(
      '--scenario <name|file>',
      `which demonstration (default ${SCENARIOS[0]!.name}), or a YAML/JSON file changing the mainframe's partitions, users and time`,
    )
    .option(
      '--budget <instructions>',
      'bare-metal: most guest instructions to execute, e.g. 250000, 250k, 50M',
    )
    .option(
      '--guest <file>',
      'run this assembler source instead of the shipped time-sharing supervisor (a modified copy)',
    )
    .option('--json', 'print the report as JSON (no status line)')
    .addHelpText(
      'after',
      `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.title}`).join('\n')}\n\nExit codes: 0 every check passed, 1 a result differs from its reference or the budget ran out,\n2 bad arguments or input, 3 the simulated machine check-stopped.\n`,
    )
    .action(async (options: DemoCommandOptions) => {
      process.exitCode = await runDemo(options);
    });
}
