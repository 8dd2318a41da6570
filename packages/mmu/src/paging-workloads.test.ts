/**
 * The paging workloads: the guest does the same work under both schemes
 * (only the layer's charges differ), a workload replays exactly from its
 * seed, and the cold 2D walk makes the (n+1)(m+1) − 1 references of
 * Bhargava et al. (ASPLOS 2008).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coldNestedWalkReferences,
  PagingGuest,
  processCreationWorkload,
  workingSetWorkload,
  xorshiftRandom,
} from './index';

describe('paging workloads', () => {
  it('a cold 4-level over 4-level walk makes 24 references', () => {
    expect(coldNestedWalkReferences()).toBe(24);
  });

  it('process creation: same guest work under both schemes; only shadow paging takes tracing faults', () => {
    const shadow = processCreationWorkload('shadow', { rounds: 6, pages: 16, touches: 2 });
    const nested = processCreationWorkload('nested', { rounds: 6, pages: 16, touches: 2 });
    expect(shadow.accesses).toBe(6 * 16 * 2);
    expect(nested.accesses).toBe(shadow.accesses);
    expect(nested.tableStores).toBe(shadow.tableStores);
    // Every teardown store hits a table the shadows were built from; the first round's builds do not.
    expect(shadow.counters.tracingFaults).toBeGreaterThan(0);
    expect(shadow.counters.tracingFaults).toBeLessThan(shadow.tableStores);
    expect(nested.counters.tracingFaults ?? 0).toBe(0);
    // A new page is a hidden fault under shadow paging: one fill per page touched first.
    expect(shadow.counters.fills).toBeGreaterThanOrEqual(6 * 16);
  });

  it('a working set replays exactly from its seed, and both schemes see the same accesses and remaps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.constantFrom(0, 50, 400), (seed, remaps) => {
        const options = { pages: 64, accesses: 300, remapsPerThousand: remaps, seed };
        const a = workingSetWorkload('shadow', options);
        expect(workingSetWorkload('shadow', options)).toEqual(a);
        const n = workingSetWorkload('nested', options);
        expect(n.accesses).toBe(a.accesses);
        // Each remap is one PTE store.
        expect(a.tableStores).toBe(Math.floor((300 * remaps) / 1000));
        expect(n.tableStores).toBe(a.tableStores);
      }),
      { numRuns: 6 },
    );
  });

  it('a caller-supplied generator drives the pages touched', () => {
    const seen: number[] = [];
    const random = {
      below: (n: number): number => {
        seen.push(n);
        return 0;
      },
    };
    workingSetWorkload('nested', { pages: 32, accesses: 10, random });
    expect(seen).toEqual(Array(10).fill(32));
    const r = xorshiftRandom(7);
    for (let i = 0; i < 100; i++) expect(r.below(10)).toBeLessThan(10);
  });

  it('guest stores reach guest-physical storage through the host tables', () => {
    const g = new PagingGuest('nested');
    const root = g.frame(true);
    const frame = g.frame();
    const pte = g.map(root, 0x400000, frame);
    expect(g.memory.read32((pte + 4) as never) & 0xfffff000).toBe(frame);
    expect(g.tableStores).toBe(4);
  });
});
