/**
 * Every reproduction `strachey repro` knows. To add one: write
 * repro/<name>.ts exporting a Reproduction and add it to this list.
 */
import { bvtLatency } from './bvt-latency';
import { irdynStorage } from './irdyn-storage';
import { lparWeights } from './lpar-weights';
import { overheadLadder } from './overhead-ladder';
import { smpScaling } from './smp-scaling';
import type { Reproduction } from './types';

export const reproductions: readonly Reproduction[] = [bvtLatency, smpScaling, overheadLadder, lparWeights, irdynStorage];

/** The reproduction called `name`, if any. */
export function findReproduction(name: string): Reproduction | undefined {
  return reproductions.find((r) => r.name === name);
}
