import { ESA390_INSTRUCTIONS, esa390InstructionByOpcode, PENDING, raisePending, TRAP_AND_EMULATE } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { exec, machine, ORIGIN, RI, RR, RX, S } from './cpu-helpers';

const lengthOfOpcode = (b0: number): number => [2, 4, 4, 6][b0 >>> 6]!;

describe('operation exception', () => {
  const m = machine();
  it('every first byte without an instruction in the subset raises code 1 with the ILC its first two bits give', () => {
    for (let b0 = 0; b0 < 256; b0++) {
      if (b0 === 0xa7 || b0 === 0xb2) continue;
      const row = esa390InstructionByOpcode(b0);
      if (row !== undefined && b0 !== 0x08 && b0 !== 0x09) continue;
      const len = lengthOfOpcode(b0);
      const r = exec(m, [[b0, 0, 0, 0, 0, 0].slice(0, len)]);
      expect(r.code, `opcode ${b0.toString(16)}`).toBe(1);
      expect(r.ilc).toBe(len / 2);
      expect(r.oldIa).toBe(ORIGIN + len);
    }
  });

  it('SSK (X08) and ISK (X09) are operation exceptions in ESA/390 mode even in supervisor state (Hercules 3.13)', () => {
    expect(exec(m, [RR(0x08, 1, 2)]).code).toBe(1);
    expect(exec(m, [RR(0x09, 1, 2)]).code).toBe(1);
  });

  it('undefined A7x and B2xx extensions raise code 1', () => {
    for (const x of [0x2, 0x3, 0x7, 0x9, 0xb, 0xd, 0xf]) expect(exec(m, [RI(0xa70 | x, 1, 0)]).code).toBe(1);
    for (let b1 = 0; b1 < 256; b1++) {
      if (esa390InstructionByOpcode(0xb200 | b1) !== undefined) continue;
      expect(exec(m, [S(0xb200 | b1, 0x800)]).code).toBe(1);
    }
  });
});

describe('privileged-operation exception', () => {
  const m = machine();
  it('every privileged row executed in problem state raises code 2 with its own ILC', () => {
    for (const row of ESA390_INSTRUCTIONS.filter((r) => r.privileged && r.opcode !== 0x08 && r.opcode !== 0x09)) {
      const bytes =
        row.opcodeBits === 8 ? [row.opcode, 0, 0, 0, 0, 0] : [row.opcode >>> 8, row.opcode & 0xff, 0, 0, 0, 0];
      m.load([bytes.slice(0, row.length)], { psw: [0x00090000, 0x80000000 | ORIGIN] });
      m.run();
      const pi = m.lastProgramInterruption();
      expect(pi.code, row.mnemonic).toBe(2);
      expect(pi.ilc, row.mnemonic).toBe(row.length / 2);
      expect(pi.oldIa).toBe(ORIGIN + row.length);
      expect(pi.oldPswHigh & 0x00010000).toBe(0x00010000); // old PSW still in problem state
    }
  });
});

describe('instruction-fetch exceptions (values as Hercules 3.13 stores them)', () => {
  it('a branch beyond storage: addressing exception, ILC 2, old PSW address + 4', () => {
    const m = machine(1 << 20);
    const r = exec(m, [RR(0x07, 15, 1)], { 1: 0x02000000 });
    expect(r.code).toBe(5);
    expect(r.ilc).toBe(2);
    expect(r.oldIa).toBe(0x02000004);
  });

  it('a branch to an odd address: specification exception, ILC 1, old PSW address + 4', () => {
    const m = machine();
    const r = exec(m, [RR(0x07, 15, 1)], { 1: 0x301 });
    expect(r.code).toBe(6);
    expect(r.ilc).toBe(1);
    expect(r.oldIa).toBe(0x305);
  });
});

describe('early exception recognition for invalid PSWs', () => {
  it('LPSW of a PSW with bits 24-31 on: the program old PSW is that PSW, ILC 0 (Hercules 3.13)', () => {
    const m = machine();
    m.poke(0x800, [0x00, 0x08, 0x00, 0x12, 0x80, 0x00, 0x04, 0x00]);
    const r = exec(m, [S(0x8200, 0x800).map((b, i) => (i === 0 ? 0x82 : i === 1 ? 0 : b))]);
    expect(r.code).toBe(6);
    expect(r.ilc).toBe(0);
    expect(m.peek32(0x28)).toBe(0x00080012);
    expect(m.peek32(0x2c)).toBe(0x80000400);
  });

  it('an invalid program new PSW ends in check-stop instead of looping', () => {
    const m = machine();
    m.load([[0, 0]]);
    m.storage.write32(0x68 as never, 0);
    m.storage.write32(0x6c as never, 0x999);
    const exit = m.run();
    expect(exit.reason).toBe('check-stop');
    expect(m.cpu.state).toBe('check-stop');
    expect(m.run().reason).toBe('check-stop');
  });
});

describe('interception policy', () => {
  it('routes a program exception to the host: the instruction is not executed and nothing is stored in the prefix area', () => {
    const m = machine();
    m.load([RX(0x58, 1, 0x800), S(0xb20d, 0)], { psw: [0x00090000, 0x80000000 | ORIGIN] });
    m.cpu.policy = TRAP_AND_EMULATE;
    const exit = m.run();
    expect(exit).toEqual({ reason: 'interception', kind: 'program', code: 2, opcode: 0xb20d, length: 4, completed: false });
    expect(m.cpu.ia).toBe(ORIGIN + 4);
    expect(m.peek32(0x8c)).toBe(0);
  });

  it('reports a completing exception (fixed-point overflow) as completed, with the PSW after the instruction', () => {
    const m = machine();
    m.load([RR(0x1a, 1, 2)], { psw: [0x00080800, 0x80000000 | ORIGIN] });
    m.cpu.policy = TRAP_AND_EMULATE;
    m.cpu.gpr[1] = 0x7fffffff;
    m.cpu.gpr[2] = 1;
    const exit = m.run();
    expect(exit).toMatchObject({ reason: 'interception', code: 8, completed: true, length: 2 });
    expect(m.cpu.ia).toBe(ORIGIN + 2);
    expect(m.cpu.gpr[1]).toBe(-0x80000000);
  });
});

describe('run control', () => {
  const loop = [RX(0x41, 1, 1, 0, 1), RX(0x46, 2, ORIGIN)]; // LA 1,1(1) ; BCT 2,loop

  it('run(n) executes exactly n instructions, compiled blocks included', () => {
    for (const n of [1, 7, 33, 1000, 4097]) {
      const m = machine();
      m.load(loop);
      m.cpu.gpr[2] = 100_000;
      expect(m.run(n)).toEqual({ reason: 'budget' });
      expect(m.cpu.instructions).toBe(n);
      expect(m.cpu.gpr[1]).toBe(Math.ceil(n / 2));
    }
  });

  it('step() executes one instruction and returns null while the CPU can continue', () => {
    const m = machine();
    m.load(loop);
    m.cpu.gpr[2] = 3;
    expect(m.cpu.step()).toBeNull();
    expect(m.cpu.gpr[1]).toBe(1);
    expect(m.cpu.ia).toBe(ORIGIN + 4);
  });

  it('stops before a breakpoint address, and resuming executes it', () => {
    const m = machine();
    m.load(loop);
    m.cpu.gpr[2] = 10;
    m.cpu.breakpoints.add(ORIGIN + 4);
    expect(m.run()).toEqual({ reason: 'breakpoint', address: ORIGIN + 4 });
    expect(m.cpu.instructions).toBe(1);
    expect(m.run()).toEqual({ reason: 'breakpoint', address: ORIGIN + 4 });
    expect(m.cpu.instructions).toBe(3);
    expect(m.cpu.gpr[1]).toBe(2);
  });

  it('calls the trace hook with the address and length of every instruction', () => {
    const m = machine();
    m.load(loop);
    m.cpu.gpr[2] = 2;
    const seen: [number, number][] = [];
    m.cpu.trace = (_cpu, address, length) => seen.push([address, length]);
    m.run();
    expect(seen).toEqual([
      [ORIGIN, 4],
      [ORIGIN + 4, 4],
      [ORIGIN, 4],
      [ORIGIN + 4, 4],
      [ORIGIN + 8, 2],
    ]);
  });

  it('a stopped CPU does not run', () => {
    const m = machine();
    m.load(loop);
    m.cpu.state = 'stopped';
    expect(m.run()).toEqual({ reason: 'stopped' });
    expect(m.cpu.instructions).toBe(0);
  });

  it('charges the table cycles of each instruction', () => {
    const m = machine();
    m.load([RR(0x1c, 2, 4), RX(0x5d, 2, 0x800)]); // MR, D
    m.poke(0x800, [0, 0, 0, 1]);
    m.run();
    const cyc = (mn: string) => ESA390_INSTRUCTIONS.find((r) => r.mnemonic === mn)!.cycles;
    expect(m.cpu.cycles).toBe(cyc('MR') + cyc('D') + 1 + m.cpu.costModel.events['program-interruption'].cycles);
  });
});

describe('program interruption and pending interruptions', () => {
  it('a program new PSW that enables a pending external interruption takes it at the next boundary', () => {
    const m = machine();
    m.load([[0, 0]]); // END at once: operation exception
    // Program new PSW: external mask on, at X'600'; external new PSW: disabled wait at X'E0E'.
    m.storage.write32(0x68 as never, 0x01080000);
    m.storage.write32(0x6c as never, 0x80000600);
    m.storage.write32(0x58 as never, 0x000a0000);
    m.storage.write32(0x5c as never, 0x00000e0e);
    m.cpu.cr[0] = 0x2000; // external-call subclass mask
    raisePending(m.cpu, PENDING.EXTERNAL_CALL);
    expect(m.cpu.pending).toBe(0); // masked by the current PSW
    const exit = m.run();
    expect(exit).toEqual({ reason: 'wait', enabled: false });
    expect(m.cpu.ia).toBe(0xe0e);
    expect(m.peek32(0x1c)).toBe(0x80000600); // external old PSW: where the program new PSW pointed
  });
});
