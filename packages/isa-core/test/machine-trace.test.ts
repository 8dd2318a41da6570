/**
 * The instruction trace: one line per instruction in the documented fixed
 * layout (CPU address, instruction address, instruction bytes, disassembly),
 * identical for identical runs, and without effect on what the program does.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  createEsa390Machine,
  type Esa390Machine,
  formatTraceLine,
  snapshotMachine,
  traceCpu,
} from '@strachey/isa-core';

function put(m: Esa390Machine, a: number, hex: string): void {
  m.storage.writeFrom(abs(a), Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16))));
}

/** The hercules-oracle.md program: LA 1,5 / LA 2,7 / AR 1,2 / LPSW X'300'. */
function oracle(cpus = 1): Esa390Machine {
  const m = createEsa390Machine({ mainsize: 1 << 20, cpus, quantum: 2 });
  put(m, 0, '0008000000000200');
  put(m, 0x200, '41100005412000071A1282000300');
  put(m, 0x300, '000A000000000000');
  return m;
}

describe('instruction trace', () => {
  it('prints CPU address, instruction address, bytes and disassembly in fixed columns', () => {
    const m = oracle();
    const lines: string[] = [];
    traceCpu(m.cpus[0]!, (l) => lines.push(l));
    m.restart();
    m.run(100);
    expect(lines).toEqual([
      'CPU0000 00000200 41100005     LA    1,5(0,0)',
      'CPU0000 00000204 41200007     LA    2,7(0,0)',
      'CPU0000 00000208 1A12         AR    1,2',
      'CPU0000 0000020A 82000300     LPSW  768(0)',
    ]);
  });

  it('shows extended mnemonics when asked', () => {
    const m = oracle();
    put(m, 0x200, '07FE');
    expect(formatTraceLine(m.cpus[0]!, 0x200, 2, { extended: true })).toBe('CPU0000 00000200 07FE         BR    14');
  });

  it('is the same for two runs of the same machine, and names each CPU', () => {
    const trace = () => {
      const m = oracle(2);
      const lines: string[] = [];
      for (const cpu of m.cpus) traceCpu(cpu, (l) => lines.push(l));
      m.restart(0);
      m.restart(1);
      m.run(100);
      return lines;
    };
    const a = trace();
    expect(a).toEqual(trace());
    expect(a.filter((l) => l.startsWith('CPU0001')).length).toBe(4);
    // Quantum 2: the CPUs alternate two instructions at a time.
    expect(a.slice(0, 4).map((l) => l.slice(0, 7))).toEqual(['CPU0000', 'CPU0000', 'CPU0001', 'CPU0001']);
  });

  it('changes nothing in the run, and stops when detached', () => {
    const plain = oracle();
    plain.restart();
    plain.run(100);
    const traced = oracle();
    const lines: string[] = [];
    const detach = traceCpu(traced.cpus[0]!, (l) => lines.push(l));
    traced.restart();
    traced.run(2);
    detach();
    traced.run(100);
    expect(lines.length).toBe(2);
    expect(traced.cpus[0]!.trace).toBeNull();
    expect(snapshotMachine(traced)).toEqual(snapshotMachine(plain));
  });
});
