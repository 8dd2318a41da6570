/**
 * Popek–Goldberg equivalence on a real multiprogramming kernel: MINIKERN
 * (guests/minikern.asm) with two DAT address spaces, problem-state tasks,
 * SVCs, CPU-timer preemption, console and DASD channel programs produces
 * the same console output, the same final PSW and task state, and the same
 * disk contents bare metal and in a CP virtual machine — while CP's
 * counters show what it had to intercept (and shadow tables were used).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbsoluteAddress } from '@strachey/isa-core';
import { CkdVolume, Console3215, Dasd3390, createChannelMachine, fromEbcdic, geometry3390 } from '@strachey/io-channel';
import { createEsa390Dat } from '@strachey/mmu';
import { describe, expect, it } from 'vitest';
import { createCp } from '../src/index';
import { assembleGuest, kernelVolume, loadBare, placeMinidisk, readMinidisk } from './helpers';

const KERNEL = assembleGuest(readFileSync(join(__dirname, '../guests/minikern.asm'), 'utf8'));
const TASK = assembleGuest(readFileSync(join(__dirname, '../guests/task.asm'), 'utf8'));

/** Kernel at its origin, the task image in both address spaces' frames (real X'21000' and X'31000'). */
function images(): { address: number; bytes: Uint8Array }[] {
  const out = [...KERNEL.chunks];
  for (const base of [0x20000, 0x30000]) for (const c of TASK.chunks) out.push({ address: base + c.address, bytes: c.bytes });
  return out;
}

function runBare() {
  const { machine, channels } = createChannelMachine({ mainsize: 1 << 20, dat: (context, storage) => createEsa390Dat({ storage, context }) });
  const con = new Console3215();
  const volume = kernelVolume();
  channels.attach(0x0009, con);
  channels.attach(0x0191, new Dasd3390(volume));
  loadBare(machine.storage, images());
  const e = KERNEL.entry;
  machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, e >>> 8, e & 0xff]));
  machine.restart(0);
  const exit = machine.run(50_000_000);
  const spaces = new Uint8Array(0x20000);
  machine.storage.readInto(0x20000 as AbsoluteAddress, spaces);
  return { exit, lines: con.lines.map((l) => l.trimEnd()), psw: machine.cpus[0]!.getPsw(), volume, spaces };
}

function runCp(style: 'trap-and-emulate' | 'sie' = 'trap-and-emulate') {
  const real = new CkdVolume(geometry3390(1113));
  placeMinidisk(real, 300, kernelVolume());
  const r = createCp({ directory: 'USER MINI MINI 1M 16M G\n CONSOLE 009 3215\n MDISK 191 3390 300 5 VMRES1 MR\n', volumes: [{ volser: 'VMRES1', volume: real }] });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const logon = r.cp.logon('MINI', undefined, { style });
  if (!logon.ok) throw new Error(logon.error.message);
  const vm = logon.vm;
  for (const c of images()) vm.load(c.address, c.bytes);
  vm.start(0x00080000, (0x80000000 | KERNEL.entry) >>> 0);
  const result = r.cp.run(2_000_000_000);
  return { cp: r.cp, vm, result, real };
}

describe('MINIKERN bare metal and under CP', () => {
  it('bare metal: greeting, both tasks, ALL TASKS DONE, good wait', () => {
    const bare = runBare();
    expect(bare.exit.reason).toBe('halted');
    expect(bare.psw).toEqual([0x000a0000, 0]);
    expect(bare.lines).toEqual(['MINIKERN BOOTED FROM DISK', 'TASK A SUM=02001000', 'TASK B SUM=09682200', 'ALL TASKS DONE']);
  });

  it('under CP: the same output, final PSW, task records on the minidisk; DAT ran on shadow tables', () => {
    const bare = runBare();
    const { vm, result, real, cp } = runCp();
    expect(result.reason).toBe('idle');
    expect(vm.consoleLines.map((l) => l.trimEnd())).toEqual(bare.lines);
    expect(vm.cpus[0]!.getPsw()).toEqual(bare.psw);
    // The records the tasks wrote, as the guest sees its minidisk, equal the bare disk's.
    const mine = readMinidisk(real, 300, 5).find((t) => t.cc === 2)!;
    const theirs = [...bare.volume.writtenTracks()].find((t) => t.cc === 2)!;
    expect(mine.records.map((x) => [x.cc, x.r, fromEbcdic(x.data).trimEnd()])).toEqual(theirs.records.map((x) => [x.cc, x.r, fromEbcdic(x.data).trimEnd()]));
    expect(fromEbcdic(mine.records[1]!.data).trimEnd()).toBe('TASK A SUM=02001000');
    // Both tasks' address spaces (code, data, results) are byte for byte the bare machine's.
    const spaces = new Uint8Array(0x20000);
    vm.storage.readBytes(0x20000, spaces);
    expect(Buffer.compare(spaces, bare.spaces)).toBe(0);
    const c = vm.counters;
    expect(c.svcReflected).toBeGreaterThanOrEqual(6);
    expect(c.externalDelivered).toBeGreaterThan(2);
    expect(c.emulated.LRA).toBe(4);
    expect(c.emulated.SPT).toBeGreaterThan(2);
    expect(c.emulated.PTLB).toBeGreaterThan(2);
    expect(vm.shadows[0]!.counters.fills).toBeGreaterThan(0);
    // Real I/O went to the real volume at the relocated cylinders only.
    expect(cp.counters().realIoStarts).toBe(3);
    expect([...real.writtenTracks()].every((t) => t.cc === 0 || (t.cc >= 300 && t.cc < 305))).toBe(true);
  });

  it('under CP with SIE (style 2): the same output, PSW, task storage and records, with far fewer interceptions and no shadow tables', () => {
    const bare = runBare();
    const t = runCp('trap-and-emulate');
    const { vm, result, real, cp } = runCp('sie');
    expect(result.reason).toBe('idle');
    expect(vm.consoleLines.map((l) => l.trimEnd())).toEqual(bare.lines);
    expect(vm.cpus[0]!.getPsw()).toEqual(bare.psw);
    const spaces = new Uint8Array(0x20000);
    vm.storage.readBytes(0x20000, spaces);
    expect(Buffer.compare(spaces, bare.spaces)).toBe(0);
    const mine = readMinidisk(real, 300, 5).find((x) => x.cc === 2)!;
    expect(mine.records.slice(1).map((x) => fromEbcdic(x.data).trimEnd())).toEqual(['TASK A SUM=02001000', 'TASK B SUM=09682200']);
    const c = vm.counters;
    // LPSW, LCTL, SPT, PTLB, LRA, SVCs and timer interruptions are the guest's own under SIE.
    expect(c.emulated.LPSW).toBeUndefined();
    expect(c.emulated.LCTL).toBeUndefined();
    expect(c.emulated.LRA).toBeUndefined();
    expect(c.svcReflected).toBe(0);
    expect(c.emulated.SSCH).toBe(t.vm.counters.emulated.SSCH);
    expect(c.interceptions).toBeLessThan(t.vm.counters.interceptions / 2);
    expect(vm.shadows[0]!.counters.fills).toBe(0);
    expect(cp.sie.facility.counters.byCode['04']).toBeGreaterThan(0);
    expect(cp.sie.facility.counters.byCode['1c']).toBeGreaterThan(0);
  });

  it('two users run MINIKERN at once, one per style, with minidisks on the same real volume: both right, each on its own cylinders', () => {
    const real = new CkdVolume(geometry3390(1113));
    placeMinidisk(real, 300, kernelVolume());
    placeMinidisk(real, 305, kernelVolume());
    const r = createCp({
      directory: 'USER ONE X 1M 16M G\n CONSOLE 009 3215\n MDISK 191 3390 300 5 VMRES1 MR\nUSER TWO X 1M 16M G\n CONSOLE 009 3215\n MDISK 191 3390 305 5 VMRES1 MR\n',
      volumes: [{ volser: 'VMRES1', volume: real }],
    });
    if (!r.ok) throw new Error('directory');
    const vms = (['trap-and-emulate', 'sie'] as const).map((style, i) => {
      const l = r.cp.logon(i === 0 ? 'ONE' : 'TWO', undefined, { style });
      if (!l.ok) throw new Error(l.error.message);
      for (const c of images()) l.vm.load(c.address, c.bytes);
      l.vm.start(0x00080000, (0x80000000 | KERNEL.entry) >>> 0);
      return l.vm;
    });
    expect(r.cp.run(2_000_000_000).reason).toBe('idle');
    for (const vm of vms) {
      expect(vm.consoleLines.map((l) => l.trimEnd())).toEqual(['MINIKERN BOOTED FROM DISK', 'TASK A SUM=02001000', 'TASK B SUM=09682200', 'ALL TASKS DONE']);
      expect(vm.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
    }
    for (const start of [300, 305]) {
      const t = readMinidisk(real, start, 5).find((x) => x.cc === 2)!;
      expect(t.records.slice(1).map((x) => fromEbcdic(x.data).trimEnd())).toEqual(['TASK A SUM=02001000', 'TASK B SUM=09682200']);
    }
    expect(r.cp.counters().realIoStarts).toBe(6);
  });
});
