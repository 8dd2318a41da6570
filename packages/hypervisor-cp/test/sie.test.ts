/**
 * SIE (interpretive execution, style 2): the format-1 state description,
 * validity interceptions, interception controls, and an ESA/390 host program
 * on a bare isa-core machine that itself executes SIE B214 through the
 * facility (isa-core's `sie` machine option) and reads the interception.
 */
import { type AbsoluteAddress, Esa390Cpu, SimClock, SparseStorage, createEsa390Machine } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ICPT,
  InterpretiveExecution,
  SD,
  SD_IC,
  SD_SIZE,
  VALIDITY,
  decodeStateDescription,
  emptyStateDescription,
  encodeStateDescription,
} from '../src/index';
import { assembleGuest } from './helpers';

describe('format-1 state description', () => {
  it('encode/decode round trip of every modelled field', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 40, maxLength: 40 }), (w) => {
        const sd = emptyStateDescription();
        sd.v = w[0]! & 0xff;
        sd.mode = w[1]! & 0xff;
        sd.prefix = w[2]!;
        sd.mso = w[3]! & 0xffff;
        sd.mse = w[4]! & 0xffff;
        sd.gr14 = w[5]!;
        sd.gr15 = w[6]!;
        sd.psw = [w[7]!, w[8]!];
        sd.cpuTimer = [w[9]!, w[10]!];
        sd.clockComparator = [w[11]!, w[12]!];
        sd.svcControls = w[13]!;
        sd.lctlMask = w[14]! & 0xffff;
        sd.cpuAddress = w[15]! & 0xffff;
        sd.ic = w[16]!;
        sd.ec = w[17]!;
        sd.interceptionCode = w[18]! & 0xff;
        sd.ipa = w[19]! & 0xffff;
        sd.ipb = w[20]!;
        for (let i = 0; i < 16; i++) sd.cr[i] = w[21 + i]! | 0;
        const bytes = encodeStateDescription(sd);
        expect(bytes.length).toBe(SD_SIZE);
        expect(decodeStateDescription(bytes)).toEqual(sd);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('puts the fields at their architected offsets', () => {
    const sd = emptyStateDescription();
    sd.psw = [0x070c0000, 0x80012345];
    sd.mso = 0x0010;
    sd.mse = 0x001f;
    sd.interceptionCode = ICPT.WAIT;
    sd.cr[1] = 0x00123000;
    const b = encodeStateDescription(sd);
    expect([...b.subarray(SD.PSW, SD.PSW + 8)]).toEqual([0x07, 0x0c, 0, 0, 0x80, 0x01, 0x23, 0x45]);
    expect([...b.subarray(0x08, 0x0c)]).toEqual([0x00, 0x10, 0x00, 0x1f]);
    expect(b[0x50]).toBe(0x1c);
    expect([...b.subarray(0x84, 0x88)]).toEqual([0x00, 0x12, 0x30, 0x00]);
    expect(b[0x03]).toBe(0x20);
  });
});

/** A host CPU over 1 MB with a guest at MSO 2 (host X'20000', 64 KB) and its state description at X'8000'. */
function hostWithGuest(setup: (sd: ReturnType<typeof emptyStateDescription>) => void, guestCode: Uint8Array) {
  const storage = new SparseStorage(1 << 20);
  const host = new Esa390Cpu({ storage });
  host.state = 'operating';
  const sd = emptyStateDescription();
  sd.mso = 2;
  sd.mse = 2;
  sd.psw = [0x00080000, 0x80001000];
  setup(sd);
  storage.writeFrom(0x8000 as AbsoluteAddress, encodeStateDescription(sd));
  storage.writeFrom(0x21000 as AbsoluteAddress, guestCode);
  const facility = new InterpretiveExecution({ clock: new SimClock(500) });
  return { storage, host, facility, read: () => decodeStateDescription(readSd(storage)) };
}

function readSd(storage: SparseStorage): Uint8Array {
  const b = new Uint8Array(SD_SIZE);
  storage.readInto(0x8000 as AbsoluteAddress, b);
  return b;
}

const GUEST = assembleGuest(`
G        START X'1000'
         LA    3,42
         LA    4,7
         AR    3,4
         LPSW  X'100'
         END   G`);
function guestBytes(): Uint8Array {
  const out = new Uint8Array(0x200);
  for (const c of GUEST.chunks) out.set(c.bytes, c.address - 0x1000);
  return out;
}

describe('the interpretive-execution facility', () => {
  it('validity interceptions: MSO above MSE, prefix outside the extent, a 370 guest', () => {
    for (const [setup, reason] of [
      [(sd: ReturnType<typeof emptyStateDescription>) => (sd.mse = 1), VALIDITY.MSO_ABOVE_MSE],
      [(sd: ReturnType<typeof emptyStateDescription>) => (sd.prefix = 0x10000), VALIDITY.PREFIX_OUTSIDE_EXTENT],
      [(sd: ReturnType<typeof emptyStateDescription>) => (sd.mode = 0x10), VALIDITY.S370_NOT_INSTALLED],
    ] as const) {
      const h = hostWithGuest(setup, guestBytes());
      expect(h.facility.start(h.host, 0x8000)).toBeNull();
      const out = h.read();
      expect(out.interceptionCode).toBe(ICPT.VALIDITY);
      expect(out.ipb >>> 16).toBe(reason);
    }
  });

  it('the guest runs in its own supervisor state: LPSW is executed by the guest unless IC1 asks for it', () => {
    // Guest LPSW X'100' loads a disabled wait PSW the guest put there: a wait interception.
    const wait = new Uint8Array(0x200);
    wait.set(guestBytes());
    const free = hostWithGuest(() => {}, wait);
    free.storage.writeFrom(0x20100 as AbsoluteAddress, Uint8Array.from([0x00, 0x0a, 0, 0, 0, 0, 0x0b, 0xad]));
    free.facility.start(free.host, 0x8000);
    const a = free.read();
    expect(a.interceptionCode).toBe(ICPT.WAIT);
    expect(a.psw).toEqual([0x000a0000, 0x00000bad]);
    // GR0-13 of the guest come back in the host's registers.
    expect(free.host.gpr[3]).toBe(49);

    const intercepted = hostWithGuest((sd) => (sd.ic = SD_IC.IC1_LPSW << 16), wait);
    intercepted.facility.start(intercepted.host, 0x8000);
    const b = intercepted.read();
    expect(b.interceptionCode).toBe(ICPT.INSTRUCTION);
    expect(b.ipa).toBe(0x8200);
    expect(b.ipb >>> 16).toBe(0x0100);
    // The guest PSW points at the intercepted instruction (the host emulates and advances it).
    expect(b.psw[1]).toBe(0x8000100a);
  });

  it('a host program in ESA/390 assembler executes SIE and sees the DIAGNOSE interception', () => {
    const clock = new SimClock(500);
    const facility = new InterpretiveExecution({ clock });
    const machine = createEsa390Machine({ mainsize: 1 << 20, clock, sie: facility });
    const hostProgram = assembleGuest(`
H        START X'1000'
         BALR  12,0
         USING *,12
         LA    3,1
         SIE   SDESC
         MVC   X'500'(1),SDESC+X'50'
         MVC   X'504'(2),SDESC+X'56'
         MVC   X'508'(8),SDESC+X'18'
         ST    3,X'510'
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
SDESC    DC    X'00000020',F'0',H'2',H'2',F'0'
         DC    F'0',F'0'
         DC    X'00080000',X'80001000'
         DS    XL224
         END   H`);
    for (const c of hostProgram.chunks) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
    const guest = assembleGuest(`
G        START X'1000'
         LA    3,42
         AHI   3,7
         DIAG  0,0,X'008'
         END   G`);
    for (const c of guest.chunks) machine.storage.writeFrom((0x20000 + c.address) as AbsoluteAddress, c.bytes);
    machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x10, 0x00]));
    machine.restart(0);
    expect(machine.run(100_000).reason).toBe('halted');
    expect(machine.storage.read8(0x500 as AbsoluteAddress)).toBe(ICPT.INSTRUCTION);
    expect(machine.storage.read16(0x504 as AbsoluteAddress)).toBe(0x8300);
    // Guest PSW at the DIAGNOSE (guest X'1008'), guest GR3 = 49 in the host's GR3.
    expect(machine.storage.read32(0x50c as AbsoluteAddress) >>> 0).toBe(0x80001008);
    expect(machine.storage.read32(0x510 as AbsoluteAddress)).toBe(49);
    expect(facility.counters.entries).toBe(1);
  });
});
