import type { AbsoluteAddress } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { cpsUsed, fourLpars, machineFrom, must, SPIN } from './fixtures';

function twoBusy() {
  const m = machineFrom(fourLpars([50, 50, 10, 10], { cps: 2, lcps: 2 }));
  for (const n of ['LP1', 'LP2']) {
    must(m.activate(n));
    must(m.ipl(n, { source: SPIN, start: 'all' }));
  }
  return m;
}

describe('partition lifecycle', () => {
  it('operator stop takes a partition off the physical CPs; start brings it back', () => {
    const m = twoBusy();
    m.run({ ms: 1 });
    must(m.stop('LP1'));
    m.run({ us: 300 }); // the running logical CPs notice at their next chunk
    let before = m.counters();
    m.run({ ms: 2 });
    expect(cpsUsed(m, before, 'LP1')).toBe(0);
    expect(cpsUsed(m, before, 'LP2')).toBeGreaterThan(1.5);
    must(m.start('LP1'));
    m.run({ us: 300 });
    before = m.counters();
    m.run({ ms: 4 });
    expect(cpsUsed(m, before, 'LP1')).toBeGreaterThan(0.6);
  });

  it('pause freezes simulated time; resume continues', () => {
    const m = twoBusy();
    m.pause();
    expect(m.run({ ms: 1 }).time).toBe(0);
    m.resume();
    expect(m.run({ ms: 1 }).time).toBe(500_000);
  });

  it('deactivation clears and frees the storage and the partition can be activated again', () => {
    const m = twoBusy();
    m.run({ ms: 1 });
    const lay = m.partition('LP1')!.layout!;
    expect(lay.mode).toBe('zone');
    if (lay.mode !== 'zone') return;
    expect(m.storage.read32((lay.origin + 0x2000) as AbsoluteAddress)).not.toBe(0);
    must(m.deactivate('LP1'));
    expect(m.storage.read32((lay.origin + 0x2000) as AbsoluteAddress)).toBe(0);
    expect(m.ownerOf(lay.origin)).toBeNull();
    expect(m.logicalCps('LP1')).toEqual([]);
    expect(m.deactivate('LP1').ok).toBe(false);
    const again = must(m.activate('LP1'));
    expect(again.active).toBe(true);
    expect(m.activate('LP1').ok).toBe(false);
    const before = m.counters();
    m.run({ ms: 1 });
    // Activated but not IPLed: its logical CPs stay stopped and LP2 has the machine.
    expect(cpsUsed(m, before, 'LP1')).toBe(0);
  });

  it('refuses unknown partitions and partitions without a profile', () => {
    const m = machineFrom({ iocp: ' RESOURCE PARTITION=((LP1,1),(LP2,2))\n', profiles: '[LP1]\nstorage = 64M\n' });
    const unknown = m.activate('LP9');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.code).toBe('UNDEFINED_PARTITION');
    const noProfile = m.activate('LP2');
    expect(noProfile.ok).toBe(false);
    if (!noProfile.ok) expect(noProfile.error.code).toBe('NO_PROFILE');
  });
});
