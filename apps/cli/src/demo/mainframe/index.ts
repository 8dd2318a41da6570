/**
 * The composed mainframe scenario, `strachey demo`'s default: PR/SM
 * partitions with weights — CP with CMS users (CMS saved once by CP's
 * operator and IPLed by name) and MINIKERN as a guest in both execution
 * styles, the same MINIKERN bare, the time-sharing supervisor, batch — run
 * for a bounded simulated time with a live status line, then the report
 * (report.ts).
 */
import { UserError } from '../../diagnostics';
import type { Scenario, ScenarioContext } from '../scenario';
import { defaultMainframe, type MainframeConfig, parseMainframe } from './config';
import { collectReport, DEFAULT_TITLE, type MainframeReport, renderMainframe } from './report';
import { buildMainframe } from './system';

export {
  DEFAULT_MAINFRAME,
  defaultMainframe,
  type MainframeConfig,
  MainframeSchema,
  parseMainframe,
} from './config';
export type {
  CpFacts,
  MainframeReport,
  PartitionFacts,
  SavedSystemFacts,
  StyleFacts,
  UserFacts,
} from './report';
export { renderMainframe } from './report';

/** Simulated time between two status-line updates. */
const STEP_US = 5000;

/** Build the system, run it for the scenario's simulated time, report. */
export async function runMainframe(
  context: ScenarioContext,
  config: MainframeConfig = defaultMainframe(),
): Promise<MainframeReport> {
  const started = performance.now();
  const system = buildMainframe(config, context.guestSource);
  const { prsm } = system;
  const mhz = prsm.costModel.mhz;
  const end = config.timeUs * mhz;
  const status = () => {
    const c = prsm.counters();
    const seconds = (performance.now() - started) / 1000;
    let instructions = 0;
    for (const p of Object.values(c.partitions)) instructions += p.instructions;
    const parts = Object.entries(c.partitions)
      .map(([n, p]) => `${n} ${((100 * p.cycles) / Math.max(1, c.time * prsm.physicalCps)).toFixed(0)}%`)
      .join(' ');
    return `demo: ${(c.time / mhz / 1000).toFixed(1)} of ${(config.timeUs / 1000).toFixed(0)} ms simulated · ${parts} · ${seconds > 0 ? (instructions / seconds / 1e6).toFixed(0) : '–'} MIPS`;
  };
  while (prsm.clock.now() < end) {
    prsm.run({ cycles: Math.min(STEP_US * mhz, end - prsm.clock.now()) });
    for (const b of system.partitions) b.terminals?.refresh();
    context.progress.update(status);
  }
  context.progress.done();
  const wallSeconds = (performance.now() - started) / 1000;
  let instructions = 0;
  for (const p of Object.values(prsm.counters().partitions)) instructions += p.instructions;
  return collectReport(config, system, {
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    mips: wallSeconds > 0 ? Math.round(instructions / wallSeconds / 1e5) / 10 : 0,
    node: process.version,
  });
}

/** The composed mainframe as a `strachey demo` scenario. */
export const mainframeScenario: Scenario<MainframeReport> = {
  name: 'mainframe',
  title: DEFAULT_TITLE,
  run: (context) => {
    if (context.budget !== undefined) {
      throw new UserError(
        {
          code: 'DEMO_BUDGET',
          message:
            "the mainframe scenario runs for a simulated time, not an instruction budget: set 'time:' in a --scenario file (or use --scenario bare-metal)",
        },
        2,
      );
    }
    if (context.scenarioFile === undefined) return runMainframe(context);
    const parsed = parseMainframe(context.scenarioFile.text, context.scenarioFile.file);
    if (!parsed.ok) throw new UserError(parsed.errors, 2);
    return runMainframe(context, parsed.config);
  },
  renderText: renderMainframe,
};
