/**
 * CP's dispatcher: virtual CPUs of all users share the real CPU through a
 * scheduler-bvt policy; SET SHARE weights work with BVT; the dispatch,
 * eligible and dormant lists reflect what each virtual CPU is doing.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { createBvt, createRoundRobin, type Scheduler } from '@strachey/scheduler-bvt';
import { describe, expect, it } from 'vitest';
import { createCp } from '../src/index';
import { assembleGuest } from './helpers';

const SPIN = assembleGuest(`
S        START X'1000'
         BALR  12,0
         USING *,12
LOOP     LA    4,1(4)
         B     LOOP
         END   S`);
function system(scheduler: Scheduler) {
  const r = createCp({
    directory: 'USER A A 1M 1M G\nUSER B B 1M 1M G\nUSER C C 1M 1M G\nUSER D D 1M 1M G\n',
    volumes: [{ volser: 'X', volume: new CkdVolume(geometry3390(10)) }],
    scheduler,
    realStorage: 64 << 20,
  });
  if (!r.ok) throw new Error('directory');
  return r.cp;
}

function spin(cp: ReturnType<typeof system>, user: string) {
  const l = cp.logon(user);
  if (!l.ok) throw new Error(l.error.message);
  for (const c of SPIN.chunks) l.vm.load(c.address, c.bytes);
  l.vm.start(0x00080000, 0x80001000);
  return l.vm;
}

describe('dispatching virtual CPUs', () => {
  it('round-robin gives two CPU-bound users equal shares of the real CPU', () => {
    const rr = createRoundRobin({ slice: 50_000 });
    if (!rr.ok) throw new Error('rr');
    const cp = system(rr.value);
    const a = spin(cp, 'A');
    const b = spin(cp, 'B');
    cp.run(20_000_000);
    const ratio = a.counters.guestCycles / b.counters.guestCycles;
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.05);
    expect(cp.counters().dispatches).toBeGreaterThan(100);
  });

  it('BVT with SET SHARE 2:1 gives about twice the CPU to the heavier user', () => {
    const bvt = createBvt({ ctxAllow: 100_000 });
    if (!bvt.ok) throw new Error('bvt');
    const cp = system(bvt.value);
    const a = spin(cp, 'A');
    const b = spin(cp, 'B');
    expect(cp.setShare('A', 2)).toBe(true);
    cp.run(40_000_000);
    const ratio = a.counters.guestCycles / b.counters.guestCycles;
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });

  it('lists: running users in the dispatch list, an enabled wait in the eligible list, a disabled wait and a stopped user dormant', () => {
    const rr = createRoundRobin({ slice: 50_000 });
    if (!rr.ok) throw new Error('rr');
    const cp = system(rr.value);
    spin(cp, 'A');
    const b = cp.logon('B');
    if (!b.ok) throw new Error('logon');
    b.vm.start(0x010a0000, 0);
    const c = cp.logon('C');
    if (!c.ok) throw new Error('logon');
    c.vm.start(0x000a0000, 0);
    const d = cp.logon('D');
    if (!d.ok) throw new Error('logon');
    cp.run(1_000_000);
    expect(cp.lists()).toEqual({ dispatch: ['A.0'], eligible: ['B.0'], dormant: ['C.0', 'D.0'] });
  });
});
