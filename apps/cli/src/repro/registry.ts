/**
 * Every reproduction `strachey repro` knows. To add one: write
 * repro/<name>.ts exporting a Reproduction and add it to this list.
 */
import { bvtLatency } from './bvt-latency';
import type { Reproduction } from './types';

export const reproductions: readonly Reproduction[] = [bvtLatency];

/** The reproduction called `name`, if any. */
export function findReproduction(name: string): Reproduction | undefined {
  return reproductions.find((r) => r.name === name);
}
