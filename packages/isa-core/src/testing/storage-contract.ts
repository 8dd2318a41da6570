/**
 * The StoragePort contract: what every implementation of absolute main
 * storage must do for a CPU, a channel subsystem or a hypervisor to use it
 * (SparseStorage here; a zone-relocated view in @strachey/mmu; anything a
 * downstream host builds). The byte order, the storage key per 4 KB block
 * and its reference and change bits are architected (POP SA22-7201 chapter 3,
 * "Storage": big-endian numbering of bytes; "Storage Key": access-control
 * bits, fetch-protection bit, reference bit, change bit).
 */
import { absoluteAddress } from '../framework/addresses';
import { FRAME_SIZE, KEY_ACC, KEY_CHANGE, KEY_FETCH, KEY_REF, type StoragePort } from '../framework/storage';
import { type ContractCase, hex, violation, xorshift32 } from './contract';

function fail(message: string): never {
  return violation('storage port', message);
}
const A = absoluteAddress;

/** The frames the contract probes: the first, one inside, the last (the size bound). */
function probeFrames(s: StoragePort): number[] {
  const frames = s.size / FRAME_SIZE;
  const inside = Math.min(frames - 1, 5);
  return [...new Set([0, inside, frames - 1])];
}

/** Frame starts whose next frame exists (for frame-crossing accesses). */
function crossingBases(s: StoragePort): number[] {
  const frames = s.size / FRAME_SIZE;
  if (frames < 2) return [];
  return [...new Set([FRAME_SIZE, Math.min(frames - 1, 6) * FRAME_SIZE, (frames - 1) * FRAME_SIZE])];
}

function expectByte(s: StoragePort, address: number, want: number, what: string): void {
  const got = s.read8(A(address));
  if (got !== want) fail(`${what}: byte at ${hex(address)} is ${hex(got)}, expected ${hex(want)}`);
}

function expectKeyBits(s: StoragePort, address: number, mask: number, want: number, what: string): void {
  const got = s.getKey(A(address)) & mask;
  if (got !== want) fail(`${what}: key bits ${hex(mask)} of the block at ${hex(address)} are ${hex(got)}, expected ${hex(want)}`);
}

/**
 * Compare `steps` random operations on `storage` with a byte-array model:
 * big-endian word and halfword stores and loads at any alignment,
 * `readInto`/`writeFrom` runs that cross one or several 4 KB frames. The
 * operations stay inside the first 64 KB and the last 16 KB of storage (so
 * the size bound is exercised). `storage` must read zeros where nothing was
 * written. Throws on the first disagreement, naming the seed and the step.
 */
export function checkStorageAgainstModel(storage: StoragePort, seed: number, steps = 400): void {
  const size = storage.size;
  const low = Math.min(size, 0x10000);
  const highStart = Math.max(low, size - 0x4000);
  const span = low + (size - highStart);
  const model = new Uint8Array(span);
  /** Model index of an address inside one of the two windows (the windows are laid end to end). */
  const at = (a: number): number => (a < low ? a : a - highStart + low);
  const pick = (r: number, len: number): number => {
    // An address that leaves room for `len` bytes in its window, biased towards frame ends.
    const window = r & 1 && highStart < size ? [highStart, size] : [0, low];
    const room = window[1]! - window[0]! - len;
    if (room < 0) return window[0]!;
    const near = (r >>> 1) & 3;
    if (near === 0) {
      const frames = Math.max(1, Math.floor((window[1]! - window[0]!) / FRAME_SIZE));
      const end = window[0]! + ((r >>> 3) % frames + 1) * FRAME_SIZE;
      return Math.max(window[0]!, Math.min(window[0]! + room, end - 1 - ((r >>> 16) % 4)));
    }
    return window[0]! + ((r >>> 3) % (room + 1));
  };
  const next = xorshift32(seed);
  const where = (step: number, op: string, a: number): string => `seed ${seed}, step ${step}: ${op} at ${hex(a)}`;
  for (let step = 0; step < steps; step++) {
    const r = next();
    const v = next();
    switch (r % 8) {
      case 0: {
        const a = pick(next(), 1);
        storage.write8(A(a), v);
        model[at(a)] = v & 0xff;
        break;
      }
      case 1: {
        const a = pick(next(), 2);
        storage.write16(A(a), v);
        model[at(a)] = (v >>> 8) & 0xff;
        model[at(a + 1)] = v & 0xff;
        break;
      }
      case 2: {
        const a = pick(next(), 4);
        storage.write32(A(a), v | 0);
        for (let i = 0; i < 4; i++) model[at(a + i)] = (v >>> (24 - 8 * i)) & 0xff;
        break;
      }
      case 3: {
        const len = 1 + (v % (2 * FRAME_SIZE + 100));
        const a = pick(next(), len);
        const n = Math.min(len, (a < low ? low : size) - a);
        const data = new Uint8Array(n);
        for (let i = 0; i < n; i++) data[i] = next() & 0xff;
        storage.writeFrom(A(a), data);
        for (let i = 0; i < n; i++) model[at(a + i)] = data[i]!;
        break;
      }
      case 4: {
        const a = pick(next(), 1);
        const got = storage.read8(A(a));
        if (got !== model[at(a)]) fail(`${where(step, 'read8', a)} gave ${hex(got)}, the model has ${hex(model[at(a)]!)}`);
        break;
      }
      case 5: {
        const a = pick(next(), 2);
        const want = (model[at(a)]! << 8) | model[at(a + 1)]!;
        const got = storage.read16(A(a));
        if (got !== want) fail(`${where(step, 'read16', a)} gave ${hex(got)}, the model has ${hex(want)}`);
        break;
      }
      case 6: {
        const a = pick(next(), 4);
        let want = 0;
        for (let i = 0; i < 4; i++) want = (want << 8) | model[at(a + i)]!;
        const got = storage.read32(A(a));
        if (got !== (want | 0)) fail(`${where(step, 'read32', a)} gave ${got}, the model has ${want | 0}`);
        break;
      }
      default: {
        const len = 1 + (v % (2 * FRAME_SIZE + 100));
        const a = pick(next(), len);
        const n = Math.min(len, (a < low ? low : size) - a);
        const offset = next() % 8;
        const target = new Uint8Array(n + offset + 3).fill(0xa5);
        storage.readInto(A(a), target, offset, n);
        for (let i = 0; i < target.length; i++) {
          const want = i >= offset && i < offset + n ? model[at(a + i - offset)]! : 0xa5;
          if (target[i] !== want) {
            fail(`${where(step, `readInto(length ${n}, offset ${offset})`, a)}: target[${i}] is ${hex(target[i]!)}, expected ${hex(want)}`);
          }
        }
      }
    }
  }
}

/**
 * The StoragePort contract. `make()` must return fresh storage of at least
 * 8 KB (two frames): all bytes zero, all storage keys zero, as after a clear
 * reset.
 *
 * 1. `size` is a positive multiple of 4096 up to 4 GB, and the last byte
 *    below it can be stored and fetched;
 * 2. fresh storage reads as zeros and its keys are zero;
 * 3. multi-byte accessors are big-endian: `read16` unsigned, `read32` signed
 *    (`| 0`), stores keep the low 8, 16 or 32 bits of the value;
 * 4. halfwords and words that cross a 4 KB frame boundary read and write like
 *    any other (every alignment);
 * 5. `readInto` / `writeFrom` copy runs across frames, honour `offset` and
 *    `length` and touch nothing else in the target;
 * 6. one storage key per 4 KB block: `setKey` then `getKey` gives the key
 *    back (bits X'FE'), for every address of the block and no other block;
 * 7. a fetch sets the reference bit, a store the reference and change bits,
 *    of each block it touches and no other;
 * 8. a seeded random sequence of operations agrees with a byte-array model
 *    (`checkStorageAgainstModel`).
 */
export function storagePortContract(make: () => StoragePort): ContractCase[] {
  return [
    {
      name: 'size is a positive multiple of 4096 up to 4 GB, and the last byte below it is usable',
      run: () => {
        const s = make();
        if (!Number.isInteger(s.size) || s.size <= 0 || s.size % FRAME_SIZE !== 0 || s.size > 0x100000000) {
          fail(`size ${s.size} is not a positive multiple of 4096 up to 4 GB`);
        }
        if (s.size < 2 * FRAME_SIZE) fail(`the contract needs at least two frames; make() gave ${s.size} bytes`);
        const last = s.size - 1;
        s.write8(A(last), 0x5a);
        expectByte(s, last, 0x5a, 'the last byte');
        expectByte(s, 0, 0, 'storing the last byte must not wrap to address 0');
        expectByte(s, last - 1, 0, 'storing the last byte must leave the one before it');
        s.write32(A(s.size - 4), 0x01020304);
        if (s.read32(A(s.size - 4)) !== 0x01020304) fail('the last word below size does not read back');
      },
    },
    {
      name: 'fresh storage reads as zeros and its storage keys are zero',
      run: () => {
        const s = make();
        for (const f of probeFrames(s)) {
          const base = f * FRAME_SIZE;
          for (const o of [0, 1, 0x7ff, 0xffc, 0xfff]) expectByte(s, base + o, 0, 'fresh storage');
          if (s.read32(A(base + 0x100)) !== 0) fail(`fresh word at ${hex(base + 0x100)} is not zero`);
          const buf = new Uint8Array(FRAME_SIZE).fill(0xff);
          s.readInto(A(base), buf);
          if (buf.some((b) => b !== 0)) fail(`readInto of the fresh frame at ${hex(base)} saw non-zero bytes`);
        }
        const t = make();
        for (const f of probeFrames(t)) {
          const k = t.getKey(A(f * FRAME_SIZE));
          if ((k & 0xfe) !== 0) fail(`fresh storage key of the block at ${hex(f * FRAME_SIZE)} is ${hex(k)}, expected 0`);
        }
      },
    },
    {
      name: 'multi-byte accessors are big-endian; read16 is unsigned, read32 signed; stores keep the low bits',
      run: () => {
        const s = make();
        const a = 0x200;
        s.write32(A(a), 0x01020304);
        for (const [i, b] of [1, 2, 3, 4].entries()) expectByte(s, a + i, b, 'write32(X\'01020304\') is big-endian');
        if (s.read16(A(a)) !== 0x0102) fail(`read16 of 01 02 gave ${hex(s.read16(A(a)))}`);
        if (s.read16(A(a + 2)) !== 0x0304) fail(`read16 of 03 04 gave ${hex(s.read16(A(a + 2)))}`);
        s.write16(A(a + 8), 0xfffe);
        if (s.read16(A(a + 8)) !== 0xfffe) fail(`read16 must be unsigned: X'FFFE' read as ${s.read16(A(a + 8))}`);
        s.write32(A(a + 12), 0x80000001 | 0);
        if (s.read32(A(a + 12)) !== (0x80000001 | 0)) fail(`read32 must be signed int32: X'80000001' read as ${s.read32(A(a + 12))}`);
        s.write32(A(a + 16), -2);
        if ((s.read32(A(a + 16)) >>> 0) !== 0xfffffffe) fail('write32(-2) must store X\'FFFFFFFE\'');
        s.write8(A(a + 20), 0x1ab);
        expectByte(s, a + 20, 0xab, 'write8(X\'1AB\') keeps the low byte');
        expectByte(s, a + 21, 0, 'write8 stores one byte');
        s.write16(A(a + 24), 0x12345);
        if (s.read16(A(a + 24)) !== 0x2345) fail('write16(X\'12345\') must keep the low halfword');
        expectByte(s, a + 23, 0, 'write16 stores two bytes');
        expectByte(s, a + 26, 0, 'write16 stores two bytes');
        s.write16(A(a + 31), 0xa1b2);
        expectByte(s, a + 31, 0xa1, 'an odd-aligned halfword');
        expectByte(s, a + 32, 0xb2, 'an odd-aligned halfword');
        s.write32(A(a + 41), 0xc1c2c3c4 | 0);
        if ((s.read32(A(a + 41)) >>> 0) !== 0xc1c2c3c4) fail('an unaligned word does not read back');
      },
    },
    {
      name: 'halfwords and words crossing a 4 KB frame boundary read and write like any other',
      run: () => {
        const s = make();
        for (const base of crossingBases(s)) {
          for (let back = 1; back <= 3; back++) {
            const a = base - back;
            s.write32(A(a), 0x8899aabb | 0);
            for (const [i, b] of [0x88, 0x99, 0xaa, 0xbb].entries()) expectByte(s, a + i, b, `write32 at ${hex(a)}`);
            if ((s.read32(A(a)) >>> 0) !== 0x8899aabb) fail(`read32 at ${hex(a)} gave ${hex(s.read32(A(a)))}`);
            const h = (s.read8(A(base - 1)) << 8) | s.read8(A(base));
            if (s.read16(A(base - 1)) !== h) fail(`read16 at ${hex(base - 1)} gave ${hex(s.read16(A(base - 1)))}, bytes say ${hex(h)}`);
            s.write32(A(a), 0);
          }
          s.write16(A(base - 1), 0x1234);
          expectByte(s, base - 1, 0x12, `write16 at ${hex(base - 1)}`);
          expectByte(s, base, 0x34, `write16 at ${hex(base - 1)}`);
        }
      },
    },
    {
      name: 'readInto and writeFrom copy runs across frames and honour offset and length',
      run: () => {
        const s = make();
        const start = crossingBases(s)[0]! - 0x10;
        const n = Math.min(2 * FRAME_SIZE + 0x20, s.size - start);
        const data = new Uint8Array(n);
        for (let i = 0; i < n; i++) data[i] = (i * 7 + 3) & 0xff;
        s.writeFrom(A(start), data);
        for (const i of [0, 0xf, 0x10, FRAME_SIZE + 0x10, n - 1].filter((i) => i < n)) expectByte(s, start + i, data[i]!, 'writeFrom across frames');
        expectByte(s, start - 1, 0, 'writeFrom must not store before its address');
        if (start + n < s.size) expectByte(s, start + n, 0, 'writeFrom must not store past its data');
        const all = new Uint8Array(n);
        s.readInto(A(start), all);
        for (let i = 0; i < n; i++) if (all[i] !== data[i]) fail(`readInto across frames: byte ${i} is ${hex(all[i]!)}, stored ${hex(data[i]!)}`);
        const target = new Uint8Array(40).fill(0xee);
        s.readInto(A(start + 5), target, 3, 30);
        for (let i = 0; i < target.length; i++) {
          const want = i >= 3 && i < 33 ? data[5 + i - 3]! : 0xee;
          if (target[i] !== want) fail(`readInto(target, offset 3, length 30): target[${i}] is ${hex(target[i]!)}, expected ${hex(want)}`);
        }
        const tail = new Uint8Array(10).fill(0xee);
        s.readInto(A(start), tail, 4);
        for (let i = 0; i < 10; i++) {
          const want = i < 4 ? 0xee : data[i - 4]!;
          if (tail[i] !== want) fail(`readInto(target, offset 4) must fill to the end of the target: target[${i}] is ${hex(tail[i]!)}`);
        }
        s.writeFrom(A(start), new Uint8Array(0));
        expectByte(s, start, data[0]!, 'an empty writeFrom stores nothing');
      },
    },
    {
      name: 'one storage key per 4 KB block: setKey then getKey gives the key back for every address of the block',
      run: () => {
        const s = make();
        const frames = probeFrames(s);
        for (const key of [0x10, 0x38, 0xf8, 0x06, 0x9e]) {
          for (const f of frames) {
            const base = f * FRAME_SIZE;
            s.setKey(A(base + 0x123), key);
            for (const o of [0, 0x123, 0xfff]) expectKeyBits(s, base + o, 0xfe, key & 0xfe, `setKey(${hex(key)})`);
            if (f + 1 < s.size / FRAME_SIZE && !frames.includes(f + 1)) {
              expectKeyBits(s, base + FRAME_SIZE, 0xfe, 0, `setKey of the block at ${hex(base)} must not change the next block`);
            }
          }
        }
      },
    },
    {
      name: 'a fetch sets the reference bit, a store the reference and change bits, of each block touched and no other',
      run: () => {
        const s = make();
        const base = crossingBases(s)[0]!;
        const blocks = [base - FRAME_SIZE, base, base + FRAME_SIZE].filter((b) => b + FRAME_SIZE <= s.size);
        const reset = (): void => {
          for (const b of blocks) s.setKey(A(b), 0x30);
        };
        const rc = KEY_REF | KEY_CHANGE;
        const fetches: [string, () => void][] = [
          ['read8', () => s.read8(A(base + 8))],
          ['read16', () => s.read16(A(base + 8))],
          ['read32', () => s.read32(A(base + 8))],
          ['readInto', () => s.readInto(A(base + 8), new Uint8Array(16))],
        ];
        for (const [what, fetch] of fetches) {
          reset();
          fetch();
          expectKeyBits(s, base, rc | KEY_ACC | KEY_FETCH, 0x30 | KEY_REF, `${what} (reference bit on, change bit off, key kept)`);
          expectKeyBits(s, base - FRAME_SIZE, rc, 0, `${what} must not touch the block before`);
        }
        const stores: [string, () => void][] = [
          ['write8', () => s.write8(A(base + 8), 1)],
          ['write16', () => s.write16(A(base + 8), 1)],
          ['write32', () => s.write32(A(base + 8), 1)],
          ['writeFrom', () => s.writeFrom(A(base + 8), new Uint8Array(16))],
        ];
        for (const [what, store] of stores) {
          reset();
          store();
          expectKeyBits(s, base, rc | KEY_ACC | KEY_FETCH, 0x30 | rc, `${what} (reference and change bits on, key kept)`);
          expectKeyBits(s, base - FRAME_SIZE, rc, 0, `${what} must not touch the block before`);
        }
        // Runs that cross a boundary touch both blocks.
        reset();
        s.write32(A(base - 2), 0x01020304);
        expectKeyBits(s, base - FRAME_SIZE, rc, rc, 'a word store crossing into the next block (first block)');
        expectKeyBits(s, base, rc, rc, 'a word store crossing into the next block (second block)');
        reset();
        s.readInto(A(base - 2), new Uint8Array(4));
        expectKeyBits(s, base - FRAME_SIZE, rc, KEY_REF, 'readInto crossing into the next block (first block)');
        expectKeyBits(s, base, rc, KEY_REF, 'readInto crossing into the next block (second block)');
        if (blocks.length === 3) expectKeyBits(s, base + FRAME_SIZE, rc, 0, 'readInto must not reference the block after its run');
      },
    },
    {
      name: 'a seeded random sequence of operations agrees with a byte-array model',
      run: () => {
        for (const seed of [1, 0x5eed, 0xc0ffee]) checkStorageAgainstModel(make(), seed);
      },
    },
  ];
}
