/**
 * Test harness: a storage, a clock, a channel subsystem and a minimal CPU
 * side (`IoOperandAccess` with DAT off, so logical = absolute) that issues
 * the I/O instructions the way isa-core's CPU does.
 */
import { type AbsoluteAddress, type IoOperandAccess, SimClock, SparseStorage } from '@strachey/isa-core';
import { ChannelSubsystem, type ChannelSubsystemOptions, type Scsw, decodeScsw, decodeSchib, encodeOrb, encodePmcw, type Orb } from '../src/index';

export interface TestCpu extends IoOperandAccess {
  readonly gpr: Int32Array;
  pswKey: number;
}

/** A CPU operand accessor over absolute storage with key-controlled protection (POP 3-"Protection"). */
export function testCpu(storage: SparseStorage, key = 0): TestCpu {
  const cpu = {
    gpr: new Int32Array(16),
    pswKey: key,
    fetch(address: number, target: Uint8Array, length: number): number {
      if (address + length > storage.size) return 0x05;
      for (let f = address >>> 12; f <= (address + length - 1) >>> 12; f++) {
        const k = storage.getKey((f << 12) as AbsoluteAddress);
        if (cpu.pswKey !== 0 && (k & 0xf0) !== cpu.pswKey << 4 && (k & 0x08) !== 0) return 0x04;
      }
      storage.readInto(address as AbsoluteAddress, target, 0, length);
      return 0;
    },
    store(address: number, data: Uint8Array): number {
      if (address + data.length > storage.size) return 0x05;
      for (let f = address >>> 12; f <= (address + data.length - 1) >>> 12; f++) {
        const k = storage.getKey((f << 12) as AbsoluteAddress);
        if (cpu.pswKey !== 0 && (k & 0xf0) !== cpu.pswKey << 4) return 0x04;
      }
      storage.writeFrom(address as AbsoluteAddress, data);
      return 0;
    },
  };
  return cpu;
}

export interface Rig {
  storage: SparseStorage;
  clock: SimClock;
  css: ChannelSubsystem;
  cpu: TestCpu;
}

export function rig(options: Partial<ChannelSubsystemOptions> = {}, size = 1 << 20): Rig {
  const storage = new SparseStorage(size);
  const clock = new SimClock(1000);
  const css = new ChannelSubsystem({ storage, clock, ...options });
  return { storage, clock, css, cpu: testCpu(storage) };
}

/** Fire every pending clock event (bounded, so a looping channel program cannot hang a test). */
export function drain(clock: SimClock, maxEvents = 100_000): number {
  let n = 0;
  while (n < maxEvents) {
    const t = clock.nextEventTime();
    if (!Number.isFinite(t)) break;
    clock.advanceTo(t);
    n++;
  }
  return n;
}

export const SCHIB_AT = 0x800;
export const ORB_AT = 0x880;
export const IRB_AT = 0x900;

/** Run an I/O instruction for subchannel `sch` (image 0). */
export function io(r: Rig, instruction: 'SSCH' | 'TSCH' | 'STSCH' | 'MSCH' | 'HSCH' | 'CSCH' | 'RSCH' | 'XSCH', sch: number, address = 0): number {
  r.cpu.gpr[1] = 0x00010000 | sch;
  return r.css.execute(instruction, address, r.cpu);
}

/** STSCH, set the enable bit (and ISC, concurrent sense if asked), MSCH. */
export function enable(r: Rig, sch: number, options: { isc?: number; parameter?: number; concurrentSense?: boolean } = {}): void {
  if (io(r, 'STSCH', sch, SCHIB_AT) !== 0) throw new Error('STSCH failed');
  const b = new Uint8Array(52);
  r.storage.readInto(SCHIB_AT as AbsoluteAddress, b);
  const { pmcw } = decodeSchib(b);
  pmcw.enabled = true;
  pmcw.isc = options.isc ?? 0;
  pmcw.interruptionParameter = options.parameter ?? 0;
  pmcw.concurrentSense = options.concurrentSense ?? false;
  encodePmcw(pmcw, b, 0);
  r.storage.writeFrom(SCHIB_AT as AbsoluteAddress, b.subarray(0, 28));
  const cc = io(r, 'MSCH', sch, SCHIB_AT);
  if (cc !== 0) throw new Error(`MSCH cc ${cc}`);
}

/** Store an ORB at ORB_AT and issue SSCH. */
export function start(r: Rig, sch: number, orb: Partial<Orb> & { ccwAddress: number }): number {
  r.storage.writeFrom(ORB_AT as AbsoluteAddress, encodeOrb({ format1: true, lpm: 0x80, ...orb }));
  return io(r, 'SSCH', sch, ORB_AT);
}

/** TSCH into IRB_AT; returns the cc and the stored SCSW. */
export function test(r: Rig, sch: number): { cc: number; scsw: Scsw; irb: Uint8Array } {
  const cc = io(r, 'TSCH', sch, IRB_AT);
  const irb = new Uint8Array(64);
  r.storage.readInto(IRB_AT as AbsoluteAddress, irb);
  return { cc, scsw: decodeScsw(irb, 0), irb };
}

/** Run a channel program to completion: SSCH, drain the clock, TSCH. */
export function runProgram(r: Rig, sch: number, orb: Partial<Orb> & { ccwAddress: number }): { ssch: number; cc: number; scsw: Scsw; irb: Uint8Array } {
  const ssch = start(r, sch, orb);
  drain(r.clock);
  return { ssch, ...test(r, sch) };
}

/** A format-1 CCW. */
export function ccw1(command: number, flags: number, count: number, address: number): number[] {
  return [command, flags, count >>> 8, count & 0xff, (address >>> 24) & 0xff, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff];
}

/** A format-0 CCW. */
export function ccw0(command: number, address: number, flags: number, count: number): number[] {
  return [command, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff, flags, 0, count >>> 8, count & 0xff];
}

export function poke(r: Rig, address: number, bytes: number[] | Uint8Array): void {
  r.storage.writeFrom(address as AbsoluteAddress, Uint8Array.from(bytes));
}

export function peek(r: Rig, address: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  r.storage.readInto(address as AbsoluteAddress, b);
  return b;
}
