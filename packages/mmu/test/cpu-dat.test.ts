/**
 * The CPU's side of DAT with this package attached: the cycles of table walks
 * reach `cpu.cycles` (for LRA as for loads and stores), and IPTE drops only
 * the invalidated page from the DAT TLB (POP "INVALIDATE PAGE TABLE ENTRY":
 * the other entries stay usable). Walk references cost a million cycles here,
 * so the CPU's cycle count says how many references it made.
 */
import { absoluteAddress as abs, type CostModel, createEsa390Machine, type Esa390Cpu } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { createEsa390Dat, encodePte, encodeStd, encodeSte, mmuReferenceCosts } from '../src/index';
import { putEntry } from '../src/testing/index';

const REF = 1_000_000;
const model: CostModel = {
  ...mmuReferenceCosts,
  name: 'counting',
  events: { ...mmuReferenceCosts.events, 'tlb-miss': { cycles: 0, source: 'test' }, 'walk-reference': { cycles: REF, source: 'test' } },
};

/** Segment table at X'10000', one page table at X'11000' mapping virtual pages 0-15 to the same real pages; program at X'2000'. */
function dat(code: readonly number[], options: { cr0?: number; pswHigh?: number; setup?: (cpu: Esa390Cpu) => void } = {}) {
  const m = createEsa390Machine({ mainsize: 1 << 20, dat: (context, storage) => createEsa390Dat({ storage, context, costModel: model }) });
  const s = m.storage;
  putEntry(s, 0x10000, encodeSte(0x11000, 15));
  for (let p = 0; p < 16; p++) putEntry(s, 0x11000 + 4 * p, encodePte(p << 12));
  s.write32(abs(0x68), 0x000a0000); // program new PSW: disabled wait, DAT off
  s.write32(abs(0x6c), 0x00000eee);
  s.writeFrom(abs(0x2000), Uint8Array.from(code));
  const cpu = m.cpus[0]!;
  cpu.cr[0] = options.cr0 ?? 0x00b00000;
  cpu.cr[1] = encodeStd(0x10000, 0);
  cpu.cr[7] = cpu.cr[1]!;
  cpu.cr[13] = cpu.cr[1]!;
  cpu.gpr[3] = 0x3000;
  cpu.gpr[4] = 0x11000;
  cpu.gpr[5] = 0x5000;
  options.setup?.(cpu);
  cpu.setPsw(options.pswHigh ?? 0x04080000, 0x00002000); // DAT on, 24-bit
  cpu.state = 'operating';
  m.run(100);
  return {
    cpu,
    code: s.read16(abs(0x8e)),
    oldPswHigh: s.read32(abs(0x28)) >>> 0,
    oldIa: s.read32(abs(0x2c)) & 0x7fffffff,
    tea: s.read32(abs(0x90)) >>> 0,
    walkReferences: Math.floor(cpu.cycles / REF),
  };
}

describe('CPU and mmu DAT', () => {
  it('LRA charges its table walk to the CPU', () => {
    // LRA 6,0(0,3) ; X'0000' (operation exception ends the run).
    const r = dat([0xb1, 0x60, 0x30, 0x00, 0x00, 0x00]);
    expect(r.cpu.gpr[6]).toBe(0x3000);
    expect(r.code).toBe(0x0001);
    // Two references for the code page's walk, two for LRA's.
    expect(r.walkReferences).toBe(4);
  });

  it('IPTE invalidates its page and leaves the other TLB entries in place', () => {
    // L 1,0(0,3) ; IPTE 4,5 ; L 1,0(0,3) ; L 1,0(0,5): page translation on the invalidated page.
    const r = dat([0x58, 0x10, 0x30, 0x00, 0xb2, 0x21, 0x00, 0x45, 0x58, 0x10, 0x30, 0x00, 0x58, 0x10, 0x50, 0x00]);
    expect(r.code).toBe(0x0011);
    // Code page and page 3 walked once each (their TLB entries survive IPTE), page 5 once to its invalid PTE.
    expect(r.walkReferences).toBe(6);
  });
});

/**
 * SET ADDRESS SPACE CONTROL with DAT on (POP "SET ADDRESS SPACE CONTROL", as
 * Hercules 3.13 does it): the secondary-space control (CR0 bit 5) must be on
 * whatever the mode, bits 20-23 of the operand address name the mode, home
 * is privileged. CR7 and CR13 hold the same STD as CR1 here, so every mode
 * translates the program the same way. The secondary- and home-space
 * Hercules programs of the differential test cover the translation itself.
 */
describe('SAC with DAT on', () => {
  const CR0_SS = 0x04b00000;
  const withSpaces = (code: number[], cr0: number, pswHigh = 0x04080000) => dat(code, { cr0, pswHigh });
  const sac = (operand: number) => [0xb2, 0x19, (operand >>> 8) & 0xff, operand & 0xff, 0x00, 0x00];

  for (const [operand, asc] of [
    [0x000, 0],
    [0x100, 2],
    [0x200, 1],
    [0x300, 3],
  ] as const) {
    it(`SAC X'${operand.toString(16)}' sets PSW bits 16-17 to ${asc}`, () => {
      const r = withSpaces(sac(operand), CR0_SS);
      expect(r.code).toBe(0x0001); // ran on to the X'0000' after it
      expect((r.oldPswHigh >>> 14) & 3).toBe(asc);
    });
  }

  it('special operation when the secondary-space control is off', () => {
    expect(withSpaces(sac(0x000), 0x00b00000).code).toBe(0x0013);
  });

  it('specification exception for a mode code above 3', () => {
    expect(withSpaces(sac(0x400), CR0_SS).code).toBe(0x0006);
  });

  it('home mode is privileged; the other modes are not', () => {
    // CR7/CR13 point at the same tables, so a problem-state program (key 0 storage, PSW key 0) runs on.
    expect(withSpaces(sac(0x300), CR0_SS, 0x04090000).code).toBe(0x0002);
    const r = withSpaces(sac(0x100), CR0_SS, 0x04090000);
    expect(r.code).toBe(0x0001);
    expect((r.oldPswHigh >>> 14) & 3).toBe(2);
  });

  it('into home mode with CR1 bit 0 on: space-switch event (X1C) after completion, TEA = primary ASN with bit 0', () => {
    const r = dat(sac(0x300), {
      cr0: CR0_SS,
      setup: (cpu) => {
        cpu.cr[1] = cpu.cr[1]! | 0x80000000;
        cpu.cr[4] = 0x00000042; // PASN 0042
      },
    });
    expect(r.code).toBe(0x001c);
    expect(r.oldIa).toBe(0x2004); // SAC completed
    expect((r.oldPswHigh >>> 14) & 3).toBe(3);
    expect(r.tea).toBe(0x80000042);
  });

  it('out of home mode with CR13 bit 0 on: space-switch event, TEA = bit 0 only; no event without a control bit', () => {
    const setup = (on: boolean) => (cpu: Esa390Cpu) => {
      cpu.cr[13] = cpu.cr[13]! | (on ? 0x80000000 : 0);
      cpu.cr[4] = 0x00000042;
    };
    const out = dat(sac(0x000), { cr0: CR0_SS, pswHigh: 0x0408c000, setup: setup(true) });
    expect(out.code).toBe(0x001c);
    expect((out.oldPswHigh >>> 14) & 3).toBe(0);
    expect(out.tea).toBe(0x80000000);
    expect(dat(sac(0x000), { cr0: CR0_SS, pswHigh: 0x0408c000, setup: setup(false) }).code).toBe(0x0001);
  });
});
