/**
 * The storage-and-storage instructions: MVC, MVN, MVZ, NC, OC, XC, CLC, TR,
 * TRT, PACK, UNPK (POP SA22-7201 chapters 7 and 8). Each operand is at most
 * 256 (16 for PACK/UNPK) bytes and so spans at most two pages: both pages of
 * both operands are translated and checked *before* anything is stored, so
 * an access exception on any byte leaves storage untouched (POP "Storage-Operand
 * Consistency"). Then the bytes are processed one at a time in the
 * architected direction, reading and writing the frames directly, which gives
 * the architected results for overlapping operands (MVC propagation).
 */
import { Access } from '../../framework/translator';
import type { Esa390Cpu } from '../cpu';

/** An operand of up to two pages, resolved to storage frames. */
class Window {
  f1: Uint8Array = new Uint8Array(0);
  o1 = 0;
  /** Bytes of the operand in the first page. */
  n1 = 0;
  f2: Uint8Array = new Uint8Array(0);

  get(i: number): number {
    return i < this.n1 ? this.f1[this.o1 + i]! : this.f2[i - this.n1]!;
  }

  set(i: number, v: number): void {
    if (i < this.n1) this.f1[this.o1 + i] = v;
    else this.f2[i - this.n1] = v;
  }
}

const W1 = new Window();
const W2 = new Window();

/** Translate and check an operand; returns the frame numbers in `frames` (second is -1 if one page). */
function check(cpu: Esa390Cpu, ea: number, len: number, access: Access, frames: Int32Array, at: number): void {
  const n1 = 0x1000 - (ea & 0xfff);
  frames[at] = access === Access.Write ? cpu.frameW(ea) : cpu.frameR(ea);
  if (len > n1) {
    const a2 = (ea + n1) & cpu.amask;
    frames[at + 1] = access === Access.Write ? cpu.frameW(a2) : cpu.frameR(a2);
  } else frames[at + 1] = -1;
}

function bind(cpu: Esa390Cpu, w: Window, ea: number, len: number, write: boolean, frames: Int32Array, at: number): void {
  const st = cpu.storage;
  const n1 = 0x1000 - (ea & 0xfff);
  w.o1 = ea & 0xfff;
  w.n1 = Math.min(len, n1);
  w.f1 = write ? st.frameForWrite(frames[at]!) : st.frameForRead(frames[at]!);
  const f2 = frames[at + 1]!;
  if (f2 >= 0) w.f2 = write ? st.frameForWrite(f2) : st.frameForRead(f2);
}

const FRAMES = new Int32Array(4);

/**
 * CLC with an operand that crosses a page. The comparison goes left to right
 * and ends at the first unequal byte (POP "COMPARE LOGICAL"), and the next
 * page of an operand is accessed only when the comparison reaches it, as
 * Hercules 3.13 does: an operand that runs past the end of storage (or into an
 * inaccessible page) after an inequality completes with condition code 1 or 2;
 * only an equal run into that page takes the access exception. Both first
 * pages are accessed before comparing, first operand first.
 */
function compareCrossingPages(cpu: Esa390Cpu, lb: number, ea1: number, ea2: number): void {
  const st = cpu.storage;
  const amask = cpu.amask;
  let a1 = ea1;
  let a2 = ea2;
  let f1 = st.frameForRead(cpu.frameR(a1));
  let f2 = st.frameForRead(cpu.frameR(a2));
  for (let i = 0; ; ) {
    const x = f1[a1 & 0xfff]!;
    const y = f2[a2 & 0xfff]!;
    if (x !== y) {
      cpu.cc = x < y ? 1 : 2;
      return;
    }
    if (++i > lb) break;
    a1 = (a1 + 1) & amask;
    a2 = (a2 + 1) & amask;
    if ((a1 & 0xfff) === 0) f1 = st.frameForRead(cpu.frameR(a1));
    if ((a2 & 0xfff) === 0) f2 = st.frameForRead(cpu.frameR(a2));
  }
  cpu.cc = 0;
}

/** Execute an SS instruction; `ea1`, `ea2` are the wrapped operand addresses. */
export function ss(cpu: Esa390Cpu, op: number, lb: number, ea1: number, ea2: number): void {
  if (op === 0xdc || op === 0xdd) {
    translate(cpu, op, lb + 1, ea1, ea2);
    return;
  }
  if ((op === 0xd2 || op === 0xd5) && (ea1 & 0xfff) + lb < 0x1000 && (ea2 & 0xfff) + lb < 0x1000) {
    // MVC and CLC with each operand inside one page: the common case, without the two-page windows.
    const st = cpu.storage;
    const fr = cpu.frameR(ea2);
    const o1 = ea1 & 0xfff;
    const o2 = ea2 & 0xfff;
    if (op === 0xd2) {
      const dst = st.frameForWrite(cpu.frameW(ea1));
      const src = st.frameForRead(fr);
      for (let i = 0; i <= lb; i++) dst[o1 + i] = src[o2 + i]!;
      return;
    }
    const a = st.frameForRead(cpu.frameR(ea1));
    const b = st.frameForRead(fr);
    let cc = 0;
    for (let i = 0; i <= lb; i++) {
      const x = a[o1 + i]!;
      const y = b[o2 + i]!;
      if (x !== y) {
        cc = x < y ? 1 : 2;
        break;
      }
    }
    cpu.cc = cc;
    return;
  }
  if (op === 0xd5) {
    compareCrossingPages(cpu, lb, ea1, ea2);
    return;
  }
  let l1: number;
  let l2: number;
  if (op === 0xf2 || op === 0xf3) {
    l1 = (lb >>> 4) + 1;
    l2 = (lb & 15) + 1;
  } else {
    l1 = lb + 1;
    l2 = l1;
  }
  const write1 = op !== 0xd5;
  // Every page checked before any store. Which operand first shows when both
  // fail: Hercules 3.13 checks the second first for MVC, PACK and UNPK, the
  // first first for MVN, MVZ, NC, OC and XC.
  if (op === 0xd2 || op === 0xf2 || op === 0xf3) {
    check(cpu, ea2, l2, Access.Read, FRAMES, 2);
    check(cpu, ea1, l1, write1 ? Access.Write : Access.Read, FRAMES, 0);
  } else {
    check(cpu, ea1, l1, write1 ? Access.Write : Access.Read, FRAMES, 0);
    check(cpu, ea2, l2, Access.Read, FRAMES, 2);
  }
  // Bind the written operand first: frameForWrite allocates a frame the source may share, and
  // frameForRead then returns that same array, so overlapping operands see each other's stores.
  bind(cpu, W1, ea1, l1, write1, FRAMES, 0);
  bind(cpu, W2, ea2, l2, false, FRAMES, 2);
  switch (op) {
    case 0xd2: // MVC
      for (let i = 0; i < l1; i++) W1.set(i, W2.get(i));
      return;
    case 0xd1: // MVN
      for (let i = 0; i < l1; i++) W1.set(i, (W1.get(i) & 0xf0) | (W2.get(i) & 0x0f));
      return;
    case 0xd3: // MVZ
      for (let i = 0; i < l1; i++) W1.set(i, (W1.get(i) & 0x0f) | (W2.get(i) & 0xf0));
      return;
    case 0xd4: // NC
    case 0xd6: // OC
    case 0xd7: {
      // XC
      let any = 0;
      for (let i = 0; i < l1; i++) {
        const a = W1.get(i);
        const b = W2.get(i);
        const r = op === 0xd4 ? a & b : op === 0xd6 ? a | b : a ^ b;
        W1.set(i, r);
        any |= r;
      }
      cpu.cc = any === 0 ? 0 : 1;
      return;
    }
    case 0xd5: {
      // CLC
      let cc = 0;
      for (let i = 0; i < l1; i++) {
        const a = W1.get(i);
        const b = W2.get(i);
        if (a !== b) {
          cc = a < b ? 1 : 2;
          break;
        }
      }
      cpu.cc = cc;
      return;
    }
    case 0xf2: {
      // PACK: right to left; the sign byte has its halves swapped, then two digits per byte.
      const s = W2.get(l2 - 1);
      W1.set(l1 - 1, ((s << 4) | (s >>> 4)) & 0xff);
      let j = l2 - 2;
      for (let i = l1 - 2; i >= 0; i--) {
        let lo = 0;
        let hi = 0;
        if (j >= 0) lo = W2.get(j--) & 0xf;
        if (j >= 0) hi = W2.get(j--) & 0xf;
        W1.set(i, (hi << 4) | lo);
      }
      return;
    }
    default: {
      // UNPK: right to left; each packed byte becomes two zoned bytes (zone F).
      const s = W2.get(l2 - 1);
      W1.set(l1 - 1, ((s << 4) | (s >>> 4)) & 0xff);
      let j = l2 - 2;
      let i = l1 - 2;
      while (i >= 0) {
        const b = j >= 0 ? W2.get(j) : 0;
        j--;
        W1.set(i--, 0xf0 | (b & 0xf));
        if (i >= 0) W1.set(i--, 0xf0 | (b >>> 4));
      }
    }
  }
}

const TABLE = new Int32Array(4);
const WT = new Window();

/**
 * TR and TRT: each first-operand byte indexes the 256-byte table at `ea2`.
 * The whole table is checked up front (POP allows access exceptions for the
 * unused part of the table to be recognised).
 */
function translate(cpu: Esa390Cpu, op: number, len: number, ea1: number, ea2: number): void {
  const tr = op === 0xdc;
  check(cpu, ea1, len, tr ? Access.Write : Access.Read, FRAMES, 0);
  check(cpu, ea2, 256, Access.Read, TABLE, 0);
  bind(cpu, W1, ea1, len, tr, FRAMES, 0);
  bind(cpu, WT, ea2, 256, false, TABLE, 0);
  if (tr) {
    for (let i = 0; i < len; i++) W1.set(i, WT.get(W1.get(i)));
    return;
  }
  for (let i = 0; i < len; i++) {
    const fb = WT.get(W1.get(i));
    if (fb !== 0) {
      const g = cpu.gpr;
      const addr = (ea1 + i) & cpu.amask;
      // GR1 gets the address: bits 8-31 in 24-bit mode (0-7 unchanged), bits 1-31 with
      // bit 0 zero in 31-bit mode (POP; Hercules 3.13 agrees). GR2 bits 24-31 get the function byte.
      g[1] = cpu.amask === 0x7fffffff ? addr : (g[1]! & 0xff000000) | addr;
      g[2] = (g[2]! & ~0xff) | fb;
      cpu.cc = i === len - 1 ? 2 : 1;
      return;
    }
  }
  cpu.cc = 0;
}
