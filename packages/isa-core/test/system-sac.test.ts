/**
 * SET ADDRESS SPACE CONTROL (B219) with DAT off: the special-operation
 * exception (X'13'), whatever the mode asked for and the secondary-space
 * control say (Hercules 3.13: `SAC X'100'` in real mode, and `SAC X'400'`
 * with CR0 bit 5 on, both store 00040013 at X'8C'). The DAT-on cases, which
 * need a DAT port, are in @strachey/mmu's cpu-dat test.
 */
import { describe, expect, it } from 'vitest';
import { absoluteAddress as abs, createEsa390Machine, esa390Instruction } from '@strachey/isa-core';

function run(code: string, cr0: number, pswHigh = 0x00080000) {
  const m = createEsa390Machine({ mainsize: 1 << 20 });
  const s = m.storage;
  s.write32(abs(0x68), 0x000a0000);
  s.write32(abs(0x6c), 0x0000bad0);
  s.writeFrom(abs(0x200), Uint8Array.from(code.match(/../g)!.map((b) => Number.parseInt(b, 16))));
  const cpu = m.cpus[0]!;
  cpu.cr[0] = cr0;
  cpu.setPsw(pswHigh, 0x200);
  cpu.state = 'operating';
  m.run(100);
  return { id: s.read32(abs(0x8c)) >>> 0, oldPsw: [s.read32(abs(0x28)) >>> 0, s.read32(abs(0x2c)) >>> 0], asc: cpu.asc };
}

describe('SAC', () => {
  it('is in the table: S format, not privileged (semiprivileged)', () => {
    expect(esa390Instruction('SAC')).toMatchObject({ opcode: 0xb219, format: 'S', length: 4, privileged: false });
  });

  it('with DAT off is a special-operation exception, before the mode is looked at', () => {
    expect(run('B2190100', 0x000000e0)).toEqual({ id: 0x00040013, oldPsw: [0x00080000, 0x00000204], asc: 0 });
    expect(run('B2190400', 0x040000e0)).toMatchObject({ id: 0x00040013, asc: 0 });
    // Problem state too: it is not a privileged instruction.
    expect(run('B2190000', 0x040000e0, 0x00090000)).toMatchObject({ id: 0x00040013 });
  });
});
