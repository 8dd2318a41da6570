/**
 * Popek & Goldberg over the ESA/390 table, and the property that makes it
 * true on the running CPU: every privileged row traps in problem state with
 * the privileged-operation exception (code X'0002'), before any operand is
 * looked at, with the ILC of the instruction (generated from the table).
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  classifyEsa390,
  createEsa390Machine,
  ESA390_INSTRUCTIONS,
  type Esa390InstructionInfo,
} from '@strachey/isa-core';

/** The instruction bytes of a row with every operand field zero. */
function encode(row: Esa390InstructionInfo): Uint8Array {
  const bytes = new Uint8Array(row.length);
  if (row.opcodeBits === 16) {
    bytes[0] = row.opcode >>> 8;
    bytes[1] = row.opcode & 0xff;
  } else if (row.opcodeBits === 12) {
    bytes[0] = row.opcode >>> 4;
    bytes[1] = row.opcode & 0xf;
  } else bytes[0] = row.opcode;
  return bytes;
}

/** Run one instruction at X'400' with the given PSW high word; returns the program-interruption id and old PSW. */
function runOne(row: Esa390InstructionInfo, pswHigh: number) {
  const m = createEsa390Machine({ mainsize: 1 << 20 });
  const s = m.storage;
  s.write32(abs(0), 0x00080000);
  s.write32(abs(4), 0x400);
  for (const newPsw of [0x58, 0x60, 0x68, 0x70, 0x78]) s.write32(abs(newPsw), 0x000a0000);
  s.write32(abs(0x6c), 0xeee);
  s.writeFrom(abs(0x400), encode(row));
  const cpu = m.cpus[0]!;
  cpu.setPsw(pswHigh, 0x400);
  cpu.state = 'operating';
  m.run(1);
  const id = s.read32(abs(0x8c)) >>> 0;
  return { code: id & 0xffff, ilc: (id >>> 17) & 3, oldIa: s.read32(abs(0x2c)) >>> 0, oldHigh: s.read32(abs(0x28)) >>> 0 };
}

/**
 * SSK and ISK (X'08', X'09') are S/370 instructions the table keeps for the
 * classifier: Hercules 3.13 in ESA/390 mode raises the operation exception
 * for them in either state, which the CPU reproduces.
 */
const NOT_INSTALLED = new Set(['SSK', 'ISK']);
const PRIVILEGED = ESA390_INSTRUCTIONS.filter((r) => r.privileged && !NOT_INSTALLED.has(r.mnemonic));

describe('Popek-Goldberg classification of ESA/390', () => {
  it('is virtualizable: every sensitive instruction is privileged, no violations', () => {
    const c = classifyEsa390();
    expect(c.architecture).toBe('ESA/390');
    expect(c.virtualizable).toBe(true);
    expect(c.violations).toEqual([]);
    for (const m of c.sensitive) expect(c.privileged).toContain(m);
  });

  it('names the control instructions a VMM must emulate', () => {
    const c = classifyEsa390();
    for (const m of ['LPSW', 'SSM', 'LCTL', 'SPX', 'SCK', 'SIGP', 'SIE', 'SSCH', 'IPTE', 'SSKE']) {
      expect(c.sensitive).toContain(m);
      expect(c.privileged).toContain(m);
    }
    expect(c.sensitive).not.toContain('AR');
    expect(c.sensitive).not.toContain('STCK');
  });
});

describe('every privileged row traps in problem state', () => {
  it.each(PRIVILEGED.map((r) => [r.mnemonic, r] as const))('%s raises X0002 with its own ILC', (_, row) => {
    const r = runOne(row, 0x00090000);
    expect(r.code).toBe(0x0002);
    expect(r.ilc).toBe(row.length / 2);
    expect(r.oldIa).toBe(0x400 + row.length);
    expect(r.oldHigh & 0x00010000).toBe(0x00010000);
  });

  it.each(PRIVILEGED.map((r) => [r.mnemonic, r] as const))('%s does not raise X0002 in supervisor state', (_, row) => {
    expect(runOne(row, 0x00080000).code).not.toBe(0x0002);
  });

  it.each([...NOT_INSTALLED])('%s is an operation exception in both states (Hercules 3.13, ESA/390 mode)', (name) => {
    const row = ESA390_INSTRUCTIONS.find((r) => r.mnemonic === name)!;
    expect(runOne(row, 0x00090000)).toMatchObject({ code: 1, ilc: 1 });
    expect(runOne(row, 0x00080000)).toMatchObject({ code: 1, ilc: 1 });
  });

  it('unprivileged system instructions (SVC, STCK) do not trap in problem state', () => {
    const svc = ESA390_INSTRUCTIONS.find((r) => r.mnemonic === 'SVC')!;
    const stck = ESA390_INSTRUCTIONS.find((r) => r.mnemonic === 'STCK')!;
    expect(runOne(svc, 0x00090000).code).toBe(0);
    expect(runOne(stck, 0x00090000).code).toBe(0);
  });
});
