/**
 * Popek–Goldberg equivalence runs shared by the equivalence tests: one
 * supervisor-state program on a bare isa-core machine (with mmu's DAT) and
 * in a CP virtual machine under each execution style, and what each run
 * leaves — registers, PSW and the first `COMPARE` bytes of storage.
 */
import { type AbsoluteAddress, createEsa390Machine } from '@strachey/isa-core';
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { createEsa390Dat } from '@strachey/mmu';
import { expect } from 'vitest';
import { createCp } from '../src/index';
import { assembleGuest, loadBare } from './helpers';

/** How many bytes of low storage the runs compare (the guests' code, data and handlers live there). */
export const COMPARE = 0x8000;

/** An ESA/390 restart PSW at absolute 0 that starts the guest at its entry. */
function restartPsw(entry: number): Uint8Array {
  return Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, entry >>> 8, entry & 0xff]);
}

/** The program on a bare 1 MB machine, run until it stops (at most 1,000,000 instructions). */
export function bareRun(source: string) {
  const g = assembleGuest(source);
  const m = createEsa390Machine({
    mainsize: 1 << 20,
    dat: (context, storage) => createEsa390Dat({ storage, context }),
  });
  loadBare(m.storage, g.chunks);
  m.storage.writeFrom(0 as AbsoluteAddress, restartPsw(g.entry));
  m.restart(0);
  const exit = m.run(1_000_000);
  const low = new Uint8Array(COMPARE);
  m.storage.readInto(0 as AbsoluteAddress, low);
  return { exit, gpr: [...m.cpus[0]!.gpr], psw: m.cpus[0]!.getPsw(), low };
}

/** The program in user T's 1 MB virtual machine under `style`, CP run until idle. */
export function cpRun(source: string, style: 'trap-and-emulate' | 'sie' = 'trap-and-emulate') {
  const g = assembleGuest(source);
  const r = createCp({
    directory: 'USER T T 1M 1M G\n CONSOLE 009 3215\n',
    volumes: [{ volser: 'X', volume: new CkdVolume(geometry3390(10)) }],
  });
  if (!r.ok) throw new Error('directory');
  const l = r.cp.logon('T', undefined, { style });
  if (!l.ok) throw new Error(l.error.message);
  for (const c of g.chunks) l.vm.load(c.address, c.bytes);
  l.vm.load(0, restartPsw(g.entry));
  l.vm.restart();
  const result = r.cp.run(50_000_000);
  const low = new Uint8Array(COMPARE);
  l.vm.storage.readBytes(0, low);
  return { result, vm: l.vm, gpr: [...l.vm.cpus[0]!.cpu.gpr], psw: l.vm.cpus[0]!.getPsw(), low };
}

/**
 * The program bare, under trap-and-emulate and under SIE: the bare run halts,
 * CP goes idle, and both CP runs end with the bare run's PSW, registers and
 * low storage bytes (storage keys' reference bits may differ: CP touches
 * storage too).
 */
export function equivalent(source: string) {
  const b = bareRun(source);
  expect(b.exit.reason).toBe('halted');
  const results = (['trap-and-emulate', 'sie'] as const).map((style) => {
    const c = cpRun(source, style);
    expect(c.result.reason, style).toBe('idle');
    expect(c.psw, style).toEqual(b.psw);
    expect(c.gpr, style).toEqual(b.gpr);
    const differing: string[] = [];
    for (let i = 0; i < COMPARE; i++)
      if (c.low[i] !== b.low[i]) differing.push(`X'${i.toString(16)}': ${c.low[i]} (bare ${b.low[i]})`);
    expect(differing, style).toEqual([]);
    return c;
  });
  return { bare: b, cp: results[0]!, sie: results[1]! };
}
