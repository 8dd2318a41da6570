/**
 * The program helpers of '@strachey/isa-core/testing': assembling into a
 * machine, starting a CPU, running to the wait state, and reading the
 * program-interruption information from the prefix area.
 */
import { describe, expect, it } from 'vitest';
import { absoluteAddress, createEsa390Machine, SparseStorage } from '@strachey/isa-core';
import { assembleAndLoad, bootProgram, programInterruption, runToWait, startCpu } from '@strachey/isa-core/testing';

const SUM = `
SUM      START X'2000'
         USING SUM,12
         LR    12,15
         SR    2,2
         LA    3,10
LOOP     AR    2,3
         BCT   3,LOOP
         ST    2,RESULT
         LPSW  WAIT
RESULT   DS    F
         DS    0D
WAIT     DC    X'000A0000',A(X'ABC')
         END   SUM`;

describe('assembleAndLoad, startCpu, runToWait', () => {
  it('runs a program to its disabled wait: 10 + 9 + ... + 1 = 55', () => {
    const m = createEsa390Machine({ mainsize: 1 << 20 });
    const p = assembleAndLoad(m, SUM, 'sum.asm');
    expect(p.entry).toBe(0x2000);
    const cpu = startCpu(m, p.entry);
    cpu.gpr[15] = p.entry;
    const w = runToWait(m);
    expect(w.psw).toEqual([0x000a0000, 0x00000abc]);
    expect(w.exits[0]).toEqual({ reason: 'wait', enabled: false });
    expect(cpu.gpr[2]).toBe(55);
    expect(m.storage.read32(absoluteAddress(p.symbol('RESULT')))).toBe(55);
    // LR SR LA, 10 × (AR BCT), ST LPSW
    expect(w.instructions).toBe(3 + 20 + 2);
  });

  it('loads into a bare StoragePort too, and symbols are case-insensitive', () => {
    const s = new SparseStorage(1 << 16);
    const p = assembleAndLoad(s, SUM);
    expect(p.symbol('loop')).toBe(p.symbol('LOOP'));
    expect(s.read16(absoluteAddress(0x2000))).toBe(0x18cf); // LR 12,15
    expect(() => p.symbol('NOPE')).toThrow('<source>: no symbol NOPE');
  });

  it('reports every assembly error as file:line:column', () => {
    expect(() => assembleAndLoad(new SparseStorage(1 << 16), ' LA 1,UNDEF\n FOO 1\n', 'bad.asm')).toThrow(
      /^bad\.asm:1:\d+: error UNDEFINED_SYMBOL: .*\nbad\.asm:2:\d+: error UNKNOWN_OPERATION: /,
    );
  });

  it('refuses object code that does not fit in storage', () => {
    expect(() => assembleAndLoad(new SparseStorage(4096), ' START X\'2000\'\n DC F\'1\'\n END')).toThrow(RangeError);
  });

  it('runToWait fails a program that never stops, and one that exits to the host', () => {
    const loop = createEsa390Machine({ mainsize: 1 << 16 });
    startCpu(loop, assembleAndLoad(loop, 'L START X\'1000\'\n J L\n END L').entry);
    expect(() => runToWait(loop, 1000)).toThrow(/did not reach a wait state: \{"reason":"budget"\}; CPU0 PSW=00080000 80001000/);
    const bp = createEsa390Machine({ mainsize: 1 << 16 });
    startCpu(bp, assembleAndLoad(bp, SUM).entry).gpr[15] = 0x2000;
    bp.cpus[0]!.breakpoints.add(0x2004);
    expect(() => runToWait(bp)).toThrow(/"reason":"breakpoint","address":8196/);
  });
});

describe('bootProgram', () => {
  it('gives a 1 MB machine with the program loaded, its symbols and word/half readers over the results', () => {
    const b = bootProgram(SUM, {}, 'sum.asm');
    expect(b.machine.storage.size).toBe(1 << 20);
    expect(b.cpu).toBe(b.machine.cpus[0]);
    expect(b.entry).toBe(0x2000);
    expect(b.half(0x2000)).toBe(0x18cf); // LR 12,15
    startCpu(b.machine, b.entry).gpr[15] = b.entry;
    runToWait(b.machine);
    expect(b.word(b.symbol('RESULT'))).toBe(55);
    // word() reads unsigned: the wait PSW's second word with the high bit set would be negative as int32.
    b.machine.storage.write32(absoluteAddress(0x3000), 0x80000001);
    expect(b.word(0x3000)).toBe(0x80000001);
  });

  it('passes machine options through and reports assembly errors with the file name', () => {
    expect(bootProgram(SUM, { cpus: 2, mainsize: 1 << 16 }).machine.cpus).toHaveLength(2);
    expect(() => bootProgram(' FOO 1\n', {}, 'bad.asm')).toThrow(/^bad\.asm:1:\d+: error UNKNOWN_OPERATION: /);
  });
});

describe('startCpu and programInterruption', () => {
  it('a privileged instruction in problem state: code 2, ILC 2, old PSW after the instruction with the problem bit (POP 6)', () => {
    const m = createEsa390Machine({ mainsize: 1 << 16 });
    const p = assembleAndLoad(
      m,
      `
P        START 0
         ORG   P+X'68'
         DC    X'000A0000',A(X'DEAD')   program new PSW: disabled wait
         ORG   P+X'1000'
GO       SSM   0
         END   GO`,
    );
    startCpu(m, p.entry, { problemState: true, key: 8 });
    runToWait(m);
    expect(programInterruption(m.cpus[0]!)).toEqual({ code: 2, ilc: 2, oldPsw: [0x00890000, 0x80001004] });
  });

  it('reads through the prefix: a CPU with prefix X\'4000\' stores its interruption there', () => {
    const m = createEsa390Machine({ mainsize: 1 << 16 });
    const cpu = m.cpus[0]!;
    cpu.prefix = 0x4000;
    cpu.flushTlb();
    m.storage.write32(absoluteAddress(0x4068), 0x000a0000);
    m.storage.write32(absoluteAddress(0x406c), 0x0000dead);
    m.storage.write16(absoluteAddress(0x1000), 0x0000);
    startCpu(m, 0x1000, { amode31: false });
    runToWait(m);
    expect(programInterruption(cpu)).toEqual({ code: 1, ilc: 1, oldPsw: [0x00080000, 0x00001002] });
    expect(m.storage.read32(absoluteAddress(0x8c))).toBe(0);
  });
});
