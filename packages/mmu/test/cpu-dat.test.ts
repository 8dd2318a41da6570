/**
 * The CPU's side of DAT with this package attached: the cycles of table walks
 * reach `cpu.cycles` (for LRA as for loads and stores), and IPTE drops only
 * the invalidated page from the DAT TLB (POP "INVALIDATE PAGE TABLE ENTRY":
 * the other entries stay usable). Walk references cost a million cycles here,
 * so the CPU's cycle count says how many references it made.
 */
import { absoluteAddress as abs, type CostModel, createEsa390Machine } from '@strachey/isa-core';
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
function dat(code: readonly number[]) {
  const m = createEsa390Machine({ mainsize: 1 << 20, dat: (context, storage) => createEsa390Dat({ storage, context, costModel: model }) });
  const s = m.storage;
  putEntry(s, 0x10000, encodeSte(0x11000, 15));
  for (let p = 0; p < 16; p++) putEntry(s, 0x11000 + 4 * p, encodePte(p << 12));
  s.write32(abs(0x68), 0x000a0000); // program new PSW: disabled wait, DAT off
  s.write32(abs(0x6c), 0x00000eee);
  s.writeFrom(abs(0x2000), Uint8Array.from(code));
  const cpu = m.cpus[0]!;
  cpu.cr[0] = 0x00b00000;
  cpu.cr[1] = encodeStd(0x10000, 0);
  cpu.gpr[3] = 0x3000;
  cpu.gpr[4] = 0x11000;
  cpu.gpr[5] = 0x5000;
  cpu.setPsw(0x04080000, 0x00002000); // DAT on, 24-bit
  cpu.state = 'operating';
  m.run(100);
  return { cpu, code: s.read16(abs(0x8e)), walkReferences: Math.floor(cpu.cycles / REF) };
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
