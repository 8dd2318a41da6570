/**
 * MOVE LONG and COMPARE LOGICAL LONG (POP SA22-7201 chapter 7): operands of
 * up to 16 MB described by even-odd register pairs, with a padding byte.
 * The registers are written back even when an access exception ends the
 * instruction part-way, so they describe the bytes not yet processed (the
 * architected register update of interruptible instructions); a nullifying
 * exception (page translation) re-executes the instruction from there.
 */
import type { Esa390Cpu } from '../cpu';

/**
 * MVCL: R1 = first-operand address, R1+1 bits 8-31 its length; R2 = second
 * operand, R2+1 bits 0-7 the pad byte, bits 8-31 the length. cc 0/1/2 by the
 * lengths; cc 3 and no movement on destructive overlap (a first-operand byte
 * would be used as source after it was stored into).
 */
export function moveLong(cpu: Esa390Cpu, r1: number, r2: number): void {
  const g = cpu.gpr;
  const amask = cpu.amask;
  const st = cpu.storage;
  let d = g[r1]! & amask;
  let dl = g[r1 + 1]! & 0xffffff;
  let s = g[r2]! & amask;
  let sl = g[r2 + 1]! & 0xffffff;
  const pad = (g[r2 + 1]! >>> 24) & 0xff;
  const common = Math.min(dl, sl);
  const dist = (d - s) & amask;
  if (common > 0 && dist !== 0 && dist < common) {
    cpu.cc = 3;
    return;
  }
  cpu.cc = dl === sl ? 0 : dl < sl ? 1 : 2;
  try {
    while (dl > 0) {
      let n = 0x1000 - (d & 0xfff);
      if (n > dl) n = dl;
      const od = d & 0xfff;
      if (sl > 0) {
        const os = s & 0xfff;
        if (n > sl) n = sl;
        if (n > 0x1000 - os) n = 0x1000 - os;
        const fw = cpu.frameW(d);
        const fr = cpu.frameR(s);
        const dst = st.frameForWrite(fw);
        const src = st.frameForRead(fr);
        for (let i = 0; i < n; i++) dst[od + i] = src[os + i]!;
        s = (s + n) & amask;
        sl -= n;
      } else {
        st.frameForWrite(cpu.frameW(d)).fill(pad, od, od + n);
      }
      d = (d + n) & amask;
      dl -= n;
    }
  } finally {
    g[r1] = d;
    g[r1 + 1] = (g[r1 + 1]! & 0xff000000) | dl;
    g[r2] = s;
    g[r2 + 1] = (g[r2 + 1]! & 0xff000000) | sl;
  }
}

/**
 * CLCL: compare the two operands left to right, the shorter one extended
 * with the pad byte (R2+1 bits 0-7). On inequality the registers address
 * the first unequal byte; cc 0 equal, 1 first low, 2 first high.
 */
export function compareLogicalLong(cpu: Esa390Cpu, r1: number, r2: number): void {
  const g = cpu.gpr;
  const amask = cpu.amask;
  let a1 = g[r1]! & amask;
  let l1 = g[r1 + 1]! & 0xffffff;
  let a2 = g[r2]! & amask;
  let l2 = g[r2 + 1]! & 0xffffff;
  const pad = (g[r2 + 1]! >>> 24) & 0xff;
  let cc = 0;
  try {
    while (l1 > 0 || l2 > 0) {
      const c1 = l1 > 0 ? cpu.read8(a1) : pad;
      const c2 = l2 > 0 ? cpu.read8(a2) : pad;
      if (c1 !== c2) {
        cc = c1 < c2 ? 1 : 2;
        break;
      }
      if (l1 > 0) {
        a1 = (a1 + 1) & amask;
        l1--;
      }
      if (l2 > 0) {
        a2 = (a2 + 1) & amask;
        l2--;
      }
    }
    cpu.cc = cc;
  } finally {
    g[r1] = a1;
    g[r1 + 1] = (g[r1 + 1]! & 0xff000000) | l1;
    g[r2] = a2;
    g[r2 + 1] = (g[r2 + 1]! & 0xff000000) | l2;
  }
}
