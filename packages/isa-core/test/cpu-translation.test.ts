import {
  Access,
  type Esa390Dat,
  type TranslationStatus,
  TRANSLATION_FAULT,
  type Translator,
} from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { machine, ORIGIN, RX } from './cpu-helpers';

/**
 * The CPU's side of the two translation ports: the DAT port (used when the
 * PSW T bit is one) and the host layer (absolute → host). The translators
 * here are the simplest honest implementations of the interfaces — a page
 * map and a zone with an origin and a limit — so the tests exercise how the
 * CPU reacts to results and faults: nullification and the TEA for
 * page-translation exceptions, protection, relocation of the prefix area,
 * guest addressing exceptions and host interceptions.
 */

/** DAT by an explicit page map (virtual page → real page); unmapped pages fault with code 0x11. */
class PageMapDat implements Esa390Dat {
  readonly name = 'page-map';
  readonly map = new Map<number, { real: number; readOnly: boolean }>();
  translations = 0;
  translate(address: number, access: Access, status: TranslationStatus): number {
    this.translations++;
    const e = this.map.get(address >>> 12);
    if (e === undefined) {
      status.code = 0x11;
      status.exceptionId = address & 0x7ffff000;
      status.hostFault = false;
      return TRANSLATION_FAULT;
    }
    if (e.readOnly && access === Access.Write) {
      status.code = 0x04;
      status.exceptionId = 0;
      status.hostFault = false;
      return TRANSLATION_FAULT;
    }
    status.cycles += 3;
    return (e.real << 12) | (address & 0xfff);
  }
  flush(): void {}
  loadRealAddress(): number {
    return 3;
  }
  invalidatePage(): void {}
}

/** A zone: guest absolute addresses [0, limit) live at host `origin`. */
function zone(origin: number, limit: number, hostFault: boolean): Translator {
  return {
    name: 'zone',
    translate(address: number, _access: Access, status: TranslationStatus): number {
      if (address >= limit) {
        status.code = 0x05;
        status.hostFault = hostFault;
        return TRANSLATION_FAULT;
      }
      return address + origin;
    },
    flush() {},
  };
}

describe('DAT port', () => {
  const DAT_PSW = 0x04080000; // T bit on, key 0, supervisor

  function datMachine() {
    const m = machine();
    const dat = new PageMapDat();
    m.cpu.dat = dat;
    // Identity for page 0 (prefix area and the program), virtual 0x50000 → real 0x7000 (read-only), 0x60000 → 0x8000.
    dat.map.set(0, { real: 0, readOnly: false });
    dat.map.set(0x50, { real: 7, readOnly: true });
    dat.map.set(0x60, { real: 8, readOnly: false });
    return { m, dat };
  }

  it('translates operand addresses through the port and charges its cycles', () => {
    const { m, dat } = datMachine();
    m.poke(0x7010, [0, 0, 0, 42]);
    m.load([RX(0x58, 1, 0x10, 0, 2), RX(0x50, 1, 0x20, 0, 3)], { psw: [DAT_PSW, 0x80000000 | ORIGIN] });
    m.cpu.gpr[2] = 0x50000;
    m.cpu.gpr[3] = 0x60000;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(1);
    expect(m.cpu.gpr[1]).toBe(42);
    expect(m.peek32(0x8020)).toBe(42);
    expect(dat.translations).toBeGreaterThan(0);
    expect(m.cpu.cycles).toBeGreaterThan(2 + 2 + 1);
  });

  it('a page-translation exception nullifies: the old PSW points at the instruction and the TEA is stored', () => {
    const { m } = datMachine();
    m.load([RX(0x58, 1, 0x123, 0, 2)], { psw: [DAT_PSW, 0x80000000 | ORIGIN] });
    m.cpu.gpr[2] = 0x345000;
    m.cpu.gpr[1] = 7;
    m.run();
    const pi = m.lastProgramInterruption();
    expect(pi.code).toBe(0x11);
    expect(pi.ilc).toBe(2);
    expect(pi.oldIa).toBe(ORIGIN);
    expect(m.peek32(0x90)).toBe(0x345000);
    expect(m.cpu.gpr[1]).toBe(7);
  });

  it('page protection from the port is a protection exception on stores only', () => {
    const { m } = datMachine();
    m.load([RX(0x58, 1, 0, 0, 2), RX(0x50, 1, 0, 0, 2)], { psw: [DAT_PSW, 0x80000000 | ORIGIN] });
    m.cpu.gpr[2] = 0x50000;
    m.run();
    const pi = m.lastProgramInterruption();
    expect(pi.code).toBe(4);
    expect(pi.oldIa).toBe(ORIGIN + 8);
  });

  it('without a DAT port, turning DAT on check-stops the CPU with a reason', () => {
    const m = machine();
    m.load([RX(0x58, 1, 0, 0, 0)], { psw: [DAT_PSW, 0x80000000 | ORIGIN] });
    const exit = m.run();
    expect(exit.reason).toBe('check-stop');
  });
});

describe('host layer', () => {
  it('relocates every absolute address, the prefix area included', () => {
    const m = machine();
    const origin = 0x40000;
    m.cpu.hostLayer = zone(origin, 0x20000, false);
    // The guest's program and its program new PSW live at the zone origin.
    m.load([RX(0x58, 1, 0x800)]);
    m.poke(origin + ORIGIN, m.peek(ORIGIN, 6));
    m.poke(origin + 0x68, m.peek(0x68, 8));
    m.poke(origin + 0x800, [0, 0, 0, 99]);
    m.run();
    expect(m.cpu.gpr[1]).toBe(99);
    expect(m.storage.read32((origin + 0x8c) as never) & 0xffff).toBe(1);
    expect(m.peek32(0x8c)).toBe(0);
  });

  it('an address beyond the zone is the guest addressing exception; a host fault is an interception', () => {
    const m = machine();
    const origin = 0x40000;
    m.cpu.hostLayer = zone(origin, 0x20000, false);
    m.load([RX(0x58, 1, 0, 0, 2)]);
    m.poke(origin + ORIGIN, m.peek(ORIGIN, 6));
    m.poke(origin + 0x68, m.peek(0x68, 8));
    m.cpu.gpr[2] = 0x30000;
    m.run();
    expect(m.storage.read32((origin + 0x8c) as never) & 0xffff).toBe(5);

    m.cpu.hostLayer = zone(origin, 0x20000, true);
    m.cpu.setPsw(0x00080000, 0x80000000 | ORIGIN);
    const exit = m.run();
    expect(exit).toMatchObject({ reason: 'interception', kind: 'host-translation', code: 5, completed: false });
    expect(m.cpu.ia).toBe(ORIGIN);
  });
});
