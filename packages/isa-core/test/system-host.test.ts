/**
 * What a host (a hypervisor dispatching virtual CPUs, a snapshot tool) needs
 * beyond the instructions: loading and reading the CPU timer and clock
 * comparator (POP "CPU Timer", "Clock Comparator"), and a PSW load that does
 * not leave an early-exception record behind.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  CR0_CLOCK_COMPARATOR,
  CR0_CPU_TIMER,
  createEsa390Machine,
  getTimers,
  setTimers,
} from '@strachey/isa-core';

/** A machine whose CPU loops at X'200' (BRC 15,*) enabled for external interruptions; external new PSW: disabled wait. */
function looping(cr0: number) {
  const m = createEsa390Machine({ mainsize: 1 << 20, todStart: 1_000_000 });
  const s = m.storage;
  s.writeFrom(abs(0x200), Uint8Array.from([0xa7, 0xf4, 0x00, 0x00]));
  s.write32(abs(0x58), 0x000a0000);
  s.write32(abs(0x5c), 0x00000eee);
  const cpu = m.cpus[0]!;
  cpu.cr[0] = cr0;
  cpu.loadPsw(0x01080000, 0x200);
  cpu.state = 'operating';
  return { m, cpu, code: () => s.read16(abs(0x86)) };
}

describe('host access to the timers', () => {
  it('reads back what it loads', () => {
    const { cpu } = looping(0);
    setTimers(cpu, { cpuTimer: 5_000, clockComparator: [0x12345678, 0x9abcd000] });
    expect(getTimers(cpu)).toEqual({ cpuTimer: 5_000, clockComparator: [0x12345678, 0x9abcd000] });
    setTimers(cpu, { cpuTimer: -1 });
    expect(getTimers(cpu)).toEqual({ cpuTimer: -1, clockComparator: [0x12345678, 0x9abcd000] });
  });

  it('a loaded, expired CPU timer interrupts at the next boundary (code X1005)', () => {
    const { m, cpu, code } = looping(CR0_CPU_TIMER);
    setTimers(cpu, { cpuTimer: 1_000_000 }); // a clear reset leaves it at zero, about to go negative
    m.run(50);
    expect(cpu.getPsw()[1]).toBe(0x200);
    setTimers(cpu, { cpuTimer: -1 });
    m.run(10);
    expect(cpu.getPsw()).toEqual([0x000a0000, 0xeee]);
    expect(code()).toBe(0x1005);
  });

  it('a loaded clock comparator below the TOD clock interrupts (code X1004); one far ahead does not', () => {
    const ahead = looping(CR0_CLOCK_COMPARATOR);
    setTimers(ahead.cpu, { clockComparator: [0x7fffffff, 0] });
    ahead.m.run(100);
    expect(ahead.cpu.getPsw()[1]).toBe(0x200);
    const passed = looping(CR0_CLOCK_COMPARATOR);
    setTimers(passed.cpu, { clockComparator: [0, 0x1000] }); // one microsecond past the epoch
    passed.m.run(10);
    expect(passed.cpu.getPsw()).toEqual([0x000a0000, 0xeee]);
    expect(passed.code()).toBe(0x1004);
  });
});

describe('loadPsw', () => {
  it('forgets an invalid PSW, so a later program interruption stores the current PSW with its ILC', () => {
    const m = createEsa390Machine({ mainsize: 1 << 20 });
    m.storage.write32(abs(0x68), 0x000a0000);
    m.storage.write32(abs(0x6c), 0x00000eee);
    const cpu = m.cpus[0]!;
    // A reset-style load of an all-zero PSW (invalid in ESA/390: bit 12 off), then the host fixes the fields.
    expect(cpu.loadPsw(0, 0)).toBe(false);
    cpu.flags = 0x08;
    cpu.ia = 0x200; // X'0000' there: operation exception
    cpu.state = 'operating';
    m.run(10);
    expect(m.storage.read32(abs(0x28)) >>> 0).toBe(0x00080000);
    expect(m.storage.read32(abs(0x2c)) >>> 0).toBe(0x00000202);
    expect(m.storage.read32(abs(0x8c)) >>> 0).toBe(0x00020001);
  });

  it('returns true and loads a valid PSW like setPsw', () => {
    const m = createEsa390Machine({ mainsize: 1 << 20 });
    const cpu = m.cpus[0]!;
    expect(cpu.loadPsw(0x070d0000, 0x80001234)).toBe(true);
    expect(cpu.getPsw()).toEqual([0x070d0000, 0x80001234]);
  });
});
