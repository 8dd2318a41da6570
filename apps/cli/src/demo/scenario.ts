/**
 * What `strachey demo` runs: a scenario builds a system, runs it for a
 * bounded budget, checks what came out against references and returns a
 * report. The command only picks a scenario, shows progress and prints the
 * report as text or JSON, so a composed system (PR/SM partitions, CP with CMS
 * users) is one more scenario, not a new command.
 *
 * A report has two parts. Everything outside `host` is a function of the
 * scenario's inputs (same inputs, same JSON, byte for byte). `host` holds
 * wall-clock figures of the machine the simulator ran on, which differ from
 * run to run and are never mixed into the deterministic part.
 */
import type { Progress } from '../progress';

/** One comparison of a simulated result with its reference. */
export interface ScenarioCheck {
  /** What was compared, in words ("primes below 1,000,000"). */
  readonly name: string;
  readonly expected: string | number | boolean;
  readonly actual: string | number | boolean | null;
  readonly ok: boolean;
}

/**
 * How a scenario ended. 'ok': it ran to its end and every check passed;
 * 'mismatch': a result differs from its reference; 'incomplete': the budget
 * ran out before the system finished; 'check-stop': a simulated CPU entered
 * the check-stop state (the machine could not go on).
 */
export type ScenarioOutcome = 'ok' | 'mismatch' | 'incomplete' | 'check-stop';

/** Wall-clock figures of the host that ran the simulation: not deterministic, never asserted. */
export interface HostFigures {
  /** Wall-clock seconds the simulation took (host time, not simulated time). */
  readonly wallSeconds: number;
  /** Guest instructions executed per wall-clock second, in millions. */
  readonly mips: number;
  /** Node.js version of the host. */
  readonly node: string;
}

/** What every scenario report carries; a scenario adds its own sections. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly outcome: ScenarioOutcome;
  readonly checks: readonly ScenarioCheck[];
  readonly host: HostFigures;
}

/** Inputs every scenario understands. */
export interface ScenarioContext {
  /** Live status line; the scenario updates it between slices of simulation. */
  readonly progress: Progress;
  /** Most guest instructions to execute (all CPUs together); undefined: the scenario's default. */
  readonly budget?: number;
  /** Guest source to use instead of the scenario's own (a reader's modified copy), with its file name for diagnostics. */
  readonly guestSource?: { readonly file: string; readonly text: string };
  /** A scenario file (YAML or JSON) that changes what the scenario builds, with its name for diagnostics. */
  readonly scenarioFile?: { readonly file: string; readonly text: string };
}

/** A runnable demonstration. */
export interface Scenario<R extends ScenarioReport = ScenarioReport> {
  /** Name on the command line (`strachey demo --scenario NAME`). */
  readonly name: string;
  /** One line saying what it shows. */
  readonly title: string;
  /** Build, run and check. Bad input (a guest source that does not assemble) throws a UserError. */
  run(context: ScenarioContext): Promise<R>;
  /** The report as text for a terminal. */
  renderText(report: R): string;
}

/** The exit code for a report: 0 ok, 1 mismatch or incomplete, 3 check-stop. */
export function exitCodeOf(report: ScenarioReport): number {
  switch (report.outcome) {
    case 'ok':
      return 0;
    case 'check-stop':
      return 3;
    default:
      return 1;
  }
}

/** The report as JSON text (the deterministic sections first, `host` last). */
export function renderJson(report: ScenarioReport): string {
  const { host, ...rest } = report;
  return `${JSON.stringify({ ...rest, host }, null, 2)}\n`;
}

/** The outcome from the checks and how the run stopped. */
export function outcomeOf(
  checks: readonly ScenarioCheck[],
  stop: 'finished' | 'budget' | 'check-stop',
): ScenarioOutcome {
  if (stop === 'check-stop') return 'check-stop';
  if (stop === 'budget') return 'incomplete';
  return checks.every((c) => c.ok) ? 'ok' : 'mismatch';
}

/** A finished run: the report and its text rendering. */
export interface ScenarioRun {
  readonly report: ScenarioReport;
  text(): string;
}

/** A scenario with its report type erased, so scenarios of different report types share one list. */
export interface ScenarioEntry {
  readonly name: string;
  readonly title: string;
  start(context: ScenarioContext): Promise<ScenarioRun>;
}

/** Erase a scenario's report type for the catalogue. */
export function scenarioEntry<R extends ScenarioReport>(scenario: Scenario<R>): ScenarioEntry {
  return {
    name: scenario.name,
    title: scenario.title,
    async start(context) {
      const report = await scenario.run(context);
      return { report, text: () => scenario.renderText(report) };
    },
  };
}
