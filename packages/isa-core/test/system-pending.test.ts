/**
 * A condition pending while its class is masked is taken at the first
 * boundary after a PSW change enables it (POP "Interruption Action"), on a
 * CPU used outside a machine too: setPsw() and the sysmask setter recompute
 * what is deliverable. And the restart function as a CPU method.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  CR0_EXTERNAL_CALL,
  Esa390Cpu,
  PENDING,
  raisePending,
  SparseStorage,
  systemOf,
} from '@strachey/isa-core';

/** A bare CPU with an external call from CPU 5 pending but masked (PSW external mask off); LA 1,1 at X'200'. */
function maskedExternalCall() {
  const storage = new SparseStorage(1 << 16);
  storage.write32(abs(0x58), 0x000a0000); // external new PSW: disabled wait at X'EEE'
  storage.write32(abs(0x5c), 0x00000eee);
  storage.writeFrom(abs(0x200), Uint8Array.from([0x41, 0x10, 0x00, 0x01, 0x41, 0x10, 0x00, 0x01]));
  const cpu = new Esa390Cpu({ storage });
  cpu.cr[0] = CR0_EXTERNAL_CALL;
  cpu.setPsw(0x00080000, 0x200);
  cpu.state = 'operating';
  systemOf(cpu).externalCallFrom = 5;
  raisePending(cpu, PENDING.EXTERNAL_CALL);
  expect(cpu.pending).toBe(0); // masked
  return { cpu, storage };
}

describe('pending interruptions after a PSW change, outside a machine', () => {
  it('setPsw enabling the external class: the external call is taken before the next instruction', () => {
    const { cpu, storage } = maskedExternalCall();
    cpu.setPsw(0x01080000, 0x204);
    cpu.run(1);
    expect(cpu.getPsw()).toEqual([0x000a0000, 0x00000eee]);
    expect(storage.read32(abs(0x84)) >>> 0).toBe(0x00051202); // from CPU 5, code X'1202'
    expect(storage.read32(abs(0x1c)) >>> 0).toBe(0x00000204); // old PSW: the instruction not yet executed
    expect(cpu.gpr[1]).toBe(0);
  });

  it('the sysmask setter enabling it: the same', () => {
    const { cpu, storage } = maskedExternalCall();
    cpu.sysmask = 0x01;
    cpu.run(1);
    expect(cpu.getPsw()).toEqual([0x000a0000, 0x00000eee]);
    expect(storage.read32(abs(0x1c)) >>> 0).toBe(0x00000200);
  });

  it('restart() starts a stopped CPU through the restart new PSW', () => {
    const storage = new SparseStorage(1 << 16);
    storage.write32(abs(0x0), 0x00080000);
    storage.write32(abs(0x4), 0x00000200);
    storage.writeFrom(abs(0x200), Uint8Array.from([0x41, 0x10, 0x00, 0x07]));
    const cpu = new Esa390Cpu({ storage });
    cpu.setPsw(0x000a0000, 0x123);
    expect(cpu.state).toBe('stopped');
    cpu.restart();
    expect(cpu.state).toBe('operating');
    cpu.run(1);
    expect(cpu.gpr[1]).toBe(7);
    expect(storage.read32(abs(0x0c)) >>> 0).toBe(0x00000123); // restart old PSW
  });
});
