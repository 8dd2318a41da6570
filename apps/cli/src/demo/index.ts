/**
 * The scenarios `strachey demo` can run. The first one is the default; the
 * composed mainframe (PR/SM partitions, CP and CMS users) goes first when it
 * exists.
 */
import { bareMetalScenario } from './bare-metal';
import { mainframeScenario } from './mainframe/index';
import { type ScenarioEntry, scenarioEntry } from './scenario';

export type { Scenario, ScenarioContext, ScenarioEntry, ScenarioReport, ScenarioRun } from './scenario';
export { exitCodeOf, renderJson, scenarioEntry } from './scenario';

/** Every scenario, the default first. */
export const SCENARIOS: readonly ScenarioEntry[] = [
  scenarioEntry(mainframeScenario),
  scenarioEntry(bareMetalScenario),
];

/** The scenario with this name, if any. */
export function findScenario(name: string): ScenarioEntry | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
