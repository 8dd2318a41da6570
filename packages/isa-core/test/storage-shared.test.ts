/**
 * Shared frames with copy-on-write (SparseStorage.shareFrame): the mechanism
 * a hypervisor uses for saved systems (VM/370 NSS), where one host frame is
 * every virtual machine's copy of a read-only page until one of them stores
 * into it. Every store path of the CPU must give the writer a private copy and
 * leave the other mappings alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  assemble,
  createEsa390Machine,
  FRAME_SIZE,
  SparseStorage,
} from '@strachey/isa-core';

const MASTER = 0x40; // frame holding the saved page
const USER_A = 0x20; // the writer's mapping
const USER_B = 0x30; // another virtual machine's mapping

function pattern(): Uint8Array {
  const p = new Uint8Array(FRAME_SIZE);
  for (let i = 0; i < FRAME_SIZE; i++) p[i] = (i * 7 + 3) & 0xff;
  return p;
}

function sharedStorage(): { storage: SparseStorage; master: Uint8Array } {
  const storage = new SparseStorage(1 << 20);
  storage.writeFrom(abs(MASTER << 12), pattern());
  const master = storage.frames[MASTER]!;
  storage.shareFrame(MASTER, master);
  storage.shareFrame(USER_A, master);
  storage.shareFrame(USER_B, master);
  return { storage, master };
}

describe('SparseStorage shared frames', () => {
  it('maps one array at several frames without allocating, and reads see it', () => {
    const { storage, master } = sharedStorage();
    expect(storage.frames[USER_A]).toBe(master);
    expect(storage.frames[USER_B]).toBe(master);
    expect(storage.sharedFrames).toBe(3);
    expect(storage.allocatedFrames).toBe(0);
    expect(storage.read32(abs((USER_B << 12) + 4))).toBe(storage.read32(abs((MASTER << 12) + 4)));
  });

  it('gives the writer a private copy on its first store, counts it and says which frame', () => {
    const { storage, master } = sharedStorage();
    const copied: number[] = [];
    storage.onFrameCopied = (f) => copied.push(f);
    storage.write8(abs((USER_A << 12) + 10), 0xee);
    expect(copied).toEqual([USER_A]);
    expect(storage.frames[USER_A]).not.toBe(master);
    expect(storage.read8(abs((USER_A << 12) + 10))).toBe(0xee);
    expect(storage.read8(abs((USER_A << 12) + 11))).toBe(master[11]);
    expect(master).toEqual(pattern());
    expect(storage.copiesOnWrite).toBe(1);
    expect(storage.sharedFrames).toBe(2);
    expect(storage.allocatedFrames).toBe(1);
    storage.write8(abs((USER_A << 12) + 12), 0xdd);
    expect(copied).toEqual([USER_A]);
  });

  it('dropFrame unmaps a shared frame without touching the other mappings', () => {
    const { storage, master } = sharedStorage();
    storage.dropFrame(USER_A);
    expect(storage.read32(abs(USER_A << 12))).toBe(0);
    expect(storage.sharedFrames).toBe(2);
    expect(master).toEqual(pattern());
  });

  it('host stores of every width never change another mapping (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('8', '16', '32', 'from'),
            offset: fc.integer({ min: 0, max: FRAME_SIZE - 1 }),
            value: fc.integer({ min: 0, max: 0xffffffff }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (stores) => {
          const { storage } = sharedStorage();
          const base = USER_A << 12;
          for (const s of stores) {
            // Stores may run into the next frame (a private one): both sides of the boundary must behave.
            const a = abs(base + s.offset);
            if (s.kind === '8') storage.write8(a, s.value);
            else if (s.kind === '16') storage.write16(a, s.value);
            else if (s.kind === '32') storage.write32(a, s.value);
            else storage.writeFrom(a, Uint8Array.of(s.value & 0xff, s.value >>> 24));
          }
          expect(storage.frames[USER_B]).toEqual(pattern());
          expect(storage.frames[MASTER]).toEqual(pattern());
          expect(storage.frames[USER_B]).toBe(storage.frames[MASTER]);
        },
      ),
      { numRuns: 200, seed: 0x5a4ed },
    );
  });
});

/** A program at X'1000' that stores into the frame at `target` through one store path, then loads a disabled wait. */
function storeProgram(path: string, target: number, value: number): Uint8Array {
  const body: Record<string, string> = {
    ST: '         ST    2,0(,1)',
    STH: '         STH   2,0(,1)',
    STC: '         STC   2,0(,1)',
    STM: '         STM   2,3,0(1)',
    MVI: `         MVI   0(1),X'${(value & 0xff).toString(16).padStart(2, '0')}'`,
    MVC: '         MVC   0(4,1),SRC',
    XC: '         XC    0(4,1),SRC',
    MVCL: [
      '         LR    6,1',
      '         LA    7,6',
      '         LA    8,SRC',
      '         LA    9,4',
      '         MVCL  6,8',
    ].join('\n'),
    // A loop the block compiler makes hot on a private frame, whose last passes store into the shared one.
    LOOP: [
      '         LR    4,1',
      "         S     4,=F'600'",
      '         LA    5,302',
      'LOOP     STH   2,0(,4)',
      '         LA    4,2(,4)',
      '         BCT   5,LOOP',
    ].join('\n'),
  };
  const r = assemble(`
P        START X'1000'
         BALR  12,0
         USING *,12
         L     1,=A(${target})
         L     2,=X'${hex8(value)}'
         L     3,=X'${hex8(value ^ 0x5a5a5a5a)}'
${body[path]}
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
SRC      DC    X'${hex8(value)}'
         END   P`);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r.image;
}

describe('every CPU store path copies a shared frame before storing', () => {
  const paths = ['ST', 'STH', 'STC', 'STM', 'MVI', 'MVC', 'XC', 'MVCL', 'LOOP'];
  it('the writer sees its store, the other mapping and the saved page do not (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.integer({ min: 0, max: FRAME_SIZE - 8 }),
        fc.integer({ min: 1, max: 0xfffffffe }),
        (path, offset, value) => {
          const { storage } = sharedStorage();
          const m = createEsa390Machine({ storage });
          const target = (USER_A << 12) + offset;
          m.storage.writeFrom(abs(0x1000), storeProgram(path, target, value));
          m.storage.writeFrom(abs(0), Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x10, 0]));
          m.restart(0);
          m.run(100_000);
          const cpu = m.cpus[0]!;
          expect(cpu.getPsw()[0] & 0x00020000).not.toBe(0); // reached the wait, no exception on the way
          expect(storage.frames[USER_B]).toEqual(pattern());
          expect(storage.frames[MASTER]).toEqual(pattern());
          expect(storage.frames[USER_A]).not.toBe(storage.frames[MASTER]);
          expect(storage.copiesOnWrite).toBe(1);
          // What the writer sees is what the store path stores.
          const seen = storage.read32(abs(target)) >>> 0;
          if (path === 'ST' || path === 'STM' || path === 'MVC' || path === 'MVCL')
            expect(seen).toBe(value >>> 0);
          else if (path === 'XC') expect(seen).toBe((pattern32(offset) ^ value) >>> 0);
          else if (path === 'STC' || path === 'MVI') expect(seen >>> 24).toBe(value & 0xff);
          else expect(seen >>> 16).toBe(value & 0xffff);
        },
      ),
      { numRuns: 120, seed: 0xc0de },
    );
  });

  it('a CPU executing from a shared page runs its own patched copy once onFrameCopied drops its fetch cache', () => {
    const storage = new SparseStorage(1 << 20);
    const r = assemble(`
P        START X'1000'
         BALR  12,0
         USING *,12
         MVI   PATCH+3,X'07'
PATCH    LA    2,1
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         END   P`);
    if (!r.ok) throw new Error('asm');
    storage.writeFrom(abs(0x1000), r.image);
    const master = storage.frames[1]!.slice();
    storage.shareFrame(1, master);
    storage.shareFrame(USER_B, master);
    const m = createEsa390Machine({ storage });
    storage.onFrameCopied = () => m.cpus[0]!.flushTlb();
    m.storage.writeFrom(abs(0), Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x10, 0]));
    m.restart(0);
    m.run(1000);
    expect(m.cpus[0]!.gpr[2]).toBe(7);
    expect(storage.read8(abs((USER_B << 12) + 0x09))).toBe(1);
  });
});

function pattern32(offset: number): number {
  const p = pattern();
  return ((p[offset]! << 24) | (p[offset + 1]! << 16) | (p[offset + 2]! << 8) | p[offset + 3]!) >>> 0;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
