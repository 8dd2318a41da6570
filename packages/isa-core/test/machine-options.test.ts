/**
 * Machine construction around given parts: a storage the caller built, and a
 * channel subsystem built against the machine's storage (the `io` factory);
 * initial and clear resets include the I/O-system reset (POP "Resets") when
 * the handler offers `reset()`, a CPU reset does not.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  createEsa390Machine,
  type IoHandler,
  type IoInterruption,
  SparseStorage,
} from '@strachey/isa-core';

/**
 * A small channel subsystem over `storage`: every interruption it holds
 * names a word of storage as its parameter source. reset() is the I/O-system
 * reset: nothing pending afterwards.
 */
function channelSubsystem(storage: SparseStorage) {
  const queue: IoInterruption[] = [];
  let listener: () => void = () => {};
  const handler: IoHandler & { post(at: number): void } = {
    post(at: number) {
      queue.push({ subsystemId: 0x00010000, parameter: storage.read32(abs(at)) >>> 0, isc: 0 });
      listener();
    },
    execute: (instruction) => (instruction === 'TPI' ? 0 : 3),
    takeInterruption: (cr6) => ((cr6 & 0x80000000) !== 0 && queue.length > 0 ? queue.shift()! : null),
    hasPending: () => queue.length > 0,
    setPendingListener(l) {
      listener = l;
    },
    reset() {
      queue.length = 0;
    },
  };
  return handler;
}

/** Enabled wait for I/O with CR6 subclass 0 on; I/O new PSW: disabled wait at X'10'. */
function waitForIo(m: ReturnType<typeof createEsa390Machine>) {
  m.storage.write32(abs(0x78), 0x000a0000);
  m.storage.write32(abs(0x7c), 0x00000010);
  const cpu = m.cpus[0]!;
  cpu.cr[6] = 0x80000000;
  cpu.setPsw(0x020a0000, 0x00000400);
  cpu.state = 'operating';
  return cpu;
}

describe('createEsa390Machine with given storage and an io factory', () => {
  it('uses the given storage and builds the channel subsystem against it', () => {
    const storage = new SparseStorage(1 << 20);
    let built: SparseStorage | null = null;
    let io!: ReturnType<typeof channelSubsystem>;
    const m = createEsa390Machine({
      storage,
      io: (s) => {
        built = s;
        io = channelSubsystem(s);
        return io;
      },
    });
    expect(m.storage).toBe(storage);
    expect(built).toBe(storage);
    expect(m.io).toBe(io);
    storage.write32(abs(0x3000), 0x0badcafe);
    const cpu = waitForIo(m);
    io.post(0x3000);
    expect(m.run(100).reason).toBe('halted');
    expect(cpu.getPsw()).toEqual([0x000a0000, 0x10]);
    expect(m.storage.read32(abs(0xbc)) >>> 0).toBe(0x0badcafe);
  });

  it('refuses neither size nor storage, or a size that contradicts the storage', () => {
    expect(() => createEsa390Machine({})).toThrow(RangeError);
    expect(() => createEsa390Machine({ mainsize: 1 << 16, storage: new SparseStorage(1 << 20) })).toThrow(RangeError);
  });

  it("reset('initial') and reset('clear') reset the I/O side; reset('cpu') does not", () => {
    for (const [kind, kept] of [
      ['cpu', true],
      ['initial', false],
      ['clear', false],
    ] as const) {
      let io!: ReturnType<typeof channelSubsystem>;
      const m = createEsa390Machine({
        mainsize: 1 << 20,
        io: (s) => {
          io = channelSubsystem(s);
          return io;
        },
      });
      io.post(0x3000);
      m.reset(kind);
      expect(io.hasPending()).toBe(kept);
      waitForIo(m);
      // With the interruption gone, the enabled wait has nothing to end it.
      expect(m.run(100).reason).toBe('halted');
      expect(m.cpus[0]!.getPsw()[1]).toBe(kept ? 0x10 : 0x400);
    }
  });
});
