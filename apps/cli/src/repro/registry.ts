/**
 * Every reproduction `strachey repro` knows. To add one: write
 * repro/<name>.ts exporting a Reproduction and add it to this list.
 */
import { bvtLatency } from './bvt-latency';
import { irdynStorage } from './irdyn-storage';
import { lparWeights } from './lpar-weights';
import { overheadLadder } from './overhead-ladder';
import { shadowVsNested } from './shadow-vs-nested';
import { smpScaling } from './smp-scaling';
import type { Reproduction } from './types';

export const reproductions: readonly Reproduction[] = [
  bvtLatency,
  smpScaling,
  overheadLadder,
  shadowVsNested,
  lparWeights,
  irdynStorage,
];

/** A reproduction of reproductions.md that needs parts not built yet. */
export interface PlannedReproduction {
  readonly name: string;
  readonly title: string;
  readonly source: string;
  /** What it waits for. */
  readonly needs: string;
}

/** The reproductions of reproductions.md the mainframe half cannot run yet (the x86 half). */
export const plannedReproductions: readonly PlannedReproduction[] = [
  {
    name: 'bt-vs-hw',
    title: 'Adams & Agesen 2006: nanobenchmarks under a software (BT) and a hardware VMM',
    source: 'Adams & Agesen, ASPLOS 2006',
    needs: 'the IA-32 CPU and the VMware-style hypervisor',
  },
  {
    name: 'xen-macro',
    title: 'Barham et al. 2003: native, Xen, VMware Workstation and UML on macro benchmarks',
    source: 'Barham et al., SOSP 2003, as summarised by Gerstel fig. 5',
    needs: 'the Xen and VMware-style hypervisors',
  },
  {
    name: 'net-page-flip',
    title: '1 Gbit/s at MTU 1500: Xen ≈ native, VMware ≈ 50 %, UML ≈ 20 %',
    source: 'Barham et al., SOSP 2003',
    needs: 'the Xen hypervisor and its network back end',
  },
  {
    name: 'live-migration',
    title: 'pre-copy live migration: ~60 ms downtime, non-converging rounds for write-heavy work',
    source: 'Clark et al., NSDI 2005',
    needs: 'the Xen hypervisor with live migration',
  },
];

/** The order of reproductions.md, for the listing. */
export const REPRODUCTION_ORDER: readonly string[] = [
  'bvt-latency',
  'smp-scaling',
  'overhead-ladder',
  'shadow-vs-nested',
  'bt-vs-hw',
  'xen-macro',
  'net-page-flip',
  'live-migration',
  'lpar-weights',
  'irdyn-storage',
];

/** The reproduction called `name`, if any. */
export function findReproduction(name: string): Reproduction | undefined {
  return reproductions.find((r) => r.name === name);
}
