/**
 * The IoHandler contract of '@strachey/isa-core/testing'. isa-core has no
 * channel subsystem of its own (io-channel implements the interface and runs
 * this contract against its ChannelSubsystem), so the contract is shown here
 * on a machine with no devices and on a one-subchannel handler written for
 * this test, and each deliberate defect is shown to fail the case that
 * guards it.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress,
  type IoHandler,
  type IoInstruction,
  type IoInterruption,
  type IoOperandAccess,
  SimClock,
  SparseStorage,
} from '@strachey/isa-core';
import { contractFailures, type IoHandlerSubject, ioHandlerContract, storageOperandAccess } from '@strachey/isa-core/testing';

/** A machine with no devices: every subchannel is not operational, nothing ever becomes pending. */
function noDevices(): IoHandler {
  return {
    execute: (instruction) => (instruction === 'TPI' ? 0 : 3),
    takeInterruption: () => null,
    hasPending: () => false,
    setPendingListener: () => {},
  };
}

/**
 * One subchannel (number 0) whose start function completes 10 µs later with
 * an interruption of the subclass set by `isc`: the least a handler needs to
 * exercise the pending cases. `defect` switches on one deliberate bug.
 */
class OneSubchannel implements IoHandler {
  isc = 0;
  private pending = false;
  private busy = false;
  private listener: () => void = () => {};
  constructor(
    private readonly clock: SimClock,
    private readonly defect: 'none' | 'ignores-cr6' | 'silent' | 'throws-on-orb' | 'tpi-stores' | 'tpi-keeps' | 'absent-cc0' | 'cc4' = 'none',
  ) {}
  execute(instruction: IoInstruction, operandAddress: number, cpu: IoOperandAccess): number {
    if (instruction === 'TPI') {
      if (this.defect === 'tpi-stores') cpu.store(operandAddress, new Uint8Array(8));
      if (!this.pending) return 0;
      const code = new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0]);
      const ex = cpu.store(operandAddress, code);
      if (ex !== 0) return -ex;
      if (this.defect !== 'tpi-keeps') this.pending = false;
      return 1;
    }
    if ((cpu.gpr[1]! & 0xffff) !== 0) return this.defect === 'absent-cc0' ? 0 : 3;
    if (instruction === 'HSCH' && this.defect === 'cc4') return 4;
    if (instruction === 'SSCH') {
      const orb = new Uint8Array(12);
      const ex = cpu.fetch(operandAddress, orb, 12);
      if (ex !== 0) return -ex;
      if (this.defect === 'throws-on-orb' && orb[4] !== 0) throw new TypeError('unexpected ORB');
      if (this.pending) return 1;
      if (this.busy) return 2;
      this.busy = true;
      this.clock.schedule(this.clock.now() + 10 * this.clock.cyclesPerMicrosecond, () => {
        this.busy = false;
        this.pending = true;
        if (this.defect !== 'silent') this.listener();
      });
      return 0;
    }
    if (instruction === 'TSCH') {
      const was = this.pending;
      this.pending = false;
      const ex = cpu.store(operandAddress, new Uint8Array(64));
      return ex !== 0 ? -ex : was ? 0 : 1;
    }
    return 0;
  }
  takeInterruption(cr6: number): IoInterruption | null {
    if (!this.pending) return null;
    if (this.defect !== 'ignores-cr6' && ((cr6 >>> (31 - this.isc)) & 1) === 0) return null;
    this.pending = false;
    return { subsystemId: 0x00010000, parameter: 0, isc: this.isc };
  }
  hasPending(): boolean {
    return this.pending;
  }
  setPendingListener(listener: () => void): void {
    this.listener = listener;
  }
}

function oneSubchannel(defect: ConstructorParameters<typeof OneSubchannel>[1] = 'none'): IoHandlerSubject {
  const clock = new SimClock(1000);
  const storage = new SparseStorage(1 << 20);
  const handler = new OneSubchannel(clock, defect);
  return {
    handler,
    storage,
    present: [0x00010000],
    makePending(isc) {
      handler.isc = isc;
      const gpr = new Int32Array(16);
      gpr[1] = 0x00010000;
      if (handler.execute('SSCH', 0x800, storageOperandAccess(storage, gpr)) !== 0) throw new Error('SSCH did not start');
      clock.advanceTo(clock.nextEventTime());
    },
  };
}

describe('handlers that pass the IoHandler contract', () => {
  describe('a machine with no devices', () => {
    const cases = ioHandlerContract(() => ({ handler: noDevices(), storage: new SparseStorage(1 << 20) }));
    it('has only the cases that need no pending interruption', () => {
      expect(cases.map((c) => c.name)).toHaveLength(3);
    });
    for (const c of cases) it(c.name, c.run);
  });
  describe('one subchannel whose start function ends in an interruption', () => {
    const cases = ioHandlerContract(() => oneSubchannel());
    it('includes the pending cases', () => {
      expect(cases).toHaveLength(6);
    });
    for (const c of cases) it(c.name, c.run);
  });
});

describe('storageOperandAccess', () => {
  it('moves operands within storage and reports the addressing exception beyond it, moving nothing', () => {
    const storage = new SparseStorage(8192);
    const access = storageOperandAccess(storage);
    expect(access.store(0x1ffc, Uint8Array.from([1, 2, 3, 4]))).toBe(0);
    const got = new Uint8Array(4);
    expect(access.fetch(0x1ffc, got, 4)).toBe(0);
    expect([...got]).toEqual([1, 2, 3, 4]);
    expect(access.store(0x1ffe, Uint8Array.from([9, 9, 9, 9]))).toBe(5);
    expect(storage.read16(absoluteAddress(0x1ffe))).toBe(0x0304);
    expect(access.fetch(0x1ffd, got, 4)).toBe(5);
  });
});

describe('a handler with a defect fails the case that guards it', () => {
  const defects: [ConstructorParameters<typeof OneSubchannel>[1], RegExp, RegExp][] = [
    ['absent-cc0', /does not exist is not operational/, /SSCH of subchannel X'FFFF', which does not exist, gave cc 0/],
    ['cc4', /any operands give a condition code/, /HSCH .* returned 4/],
    ['throws-on-orb', /any operands give a condition code/, /SSCH .* threw: unexpected ORB/],
    ['tpi-stores', /TPI sets cc 0 and stores nothing/, /TPI with nothing pending stored into its operand/],
    ['silent', /pending listener is called/, /without calling the pending listener/],
    ['tpi-keeps', /TPI takes a pending interruption/, /the interruption TPI took is still pending/],
    ['ignores-cr6', /enabled in CR6/, /taken with every subclass masked/],
  ];
  for (const [defect, caseName, message] of defects) {
    it(defect ?? 'none', () => {
      const failed = contractFailures(ioHandlerContract(() => oneSubchannel(defect)));
      const guard = failed.find((f) => caseName.test(f.name));
      expect(guard, `failed cases: ${JSON.stringify(failed)}`).toBeDefined();
      expect(guard!.message).toMatch(/^I\/O handler contract: /);
      expect(guard!.message).toMatch(message);
    });
  }
});
