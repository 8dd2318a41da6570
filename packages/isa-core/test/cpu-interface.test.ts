import { describe, expect, it } from 'vitest';
import { type Cpu, createEsa390Machine } from '@strachey/isa-core';

describe('architecture-neutral Cpu shape', () => {
  it('the ESA/390 CPU is a Cpu: a host can drive it through the neutral interface alone', () => {
    const machine = createEsa390Machine({ mainsize: 1 << 20 });
    const cpu: Cpu = machine.cpus[0]!;
    // Restart new PSW at 0 -> 0x200: LA 1,5 / LPSW 0x300 (disabled wait).
    machine.storage.writeFrom(0 as never, Uint8Array.from([0x00, 0x08, 0, 0, 0, 0, 0x02, 0x00]));
    machine.storage.writeFrom(0x200 as never, Uint8Array.from([0x41, 0x10, 0x00, 0x05, 0x82, 0x00, 0x03, 0x00]));
    machine.storage.writeFrom(0x300 as never, Uint8Array.from([0x00, 0x0a, 0, 0, 0, 0, 0, 0]));
    machine.restart(0);
    const exit = cpu.run(1000);
    expect(exit).toEqual({ reason: 'wait', enabled: false });
    expect(cpu.instructions).toBe(2);
    expect(cpu.cycles).toBeGreaterThan(0);
  });
});
