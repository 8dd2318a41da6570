/**
 * Basic-block compilation: hot straight-line runs of general instructions
 * within one page are translated to a JavaScript function (`new Function`),
 * which V8 then optimises like any other code. A block that branches back to
 * its own start loops inside the function while the instruction budget,
 * pending interruptions, the timer deadline and code invalidation allow.
 *
 * Semantics stay those of the interpreter: frequent instructions are emitted
 * inline from templates that mirror dispatch.ts; every other general
 * instruction calls the interpreter's `execute` for that one instruction.
 * System instructions, invalid opcodes, BSM/BASSM (addressing-mode switch)
 * and instructions that cross a page end a block.
 *
 * Blocks are cached per storage frame (shared by the CPUs of a machine). The
 * generated function behind a block depends only on its bytes, address and
 * addressing mode, so it is made once per process and instantiated for every
 * storage that holds those bytes there (`SharedBlock`).
 * Frames holding blocks are marked in `SparseStorage.watched`; a store into
 * one only bumps the page's generation (the store callback does not say
 * which bytes were stored). A block keeps a copy of its instruction bytes and
 * is revalidated against storage when its page's generation moved: at entry,
 * and inside the block after each of its own stores. So data stored next to
 * code, and interruption PSWs stored into a prefix page that holds code,
 * cost a byte comparison instead of a recompilation; changed code is
 * recompiled.
 *
 * Program exceptions inside a block: the block sets `cpu.instAddress` before
 * every instruction that can raise one; the run loop finds that address in
 * the block's metadata to charge the instructions executed and take the ILC.
 */
import type { Exit } from '../../framework/exit';
import type { SparseStorage } from '../../framework/storage';
import type { Esa390Cpu } from '../cpu';
import { ILEN } from './constants';

/** A compiled block. */
export interface Block {
  /** Logical address of the first instruction; the block is valid only there. */
  readonly ia: number;
  /** Addressing mode it was compiled for (address masks are constants in the code). */
  readonly amask: number;
  /** Maximum instructions one pass executes (for the budget check before entry). */
  readonly n: number;
  /** Addresses and lengths of the instructions, for exception bookkeeping. */
  readonly addrs: Int32Array;
  readonly lens: Uint8Array;
  /** Cycles of instructions 0..i-1, i = 0..n. */
  readonly cycPrefix: Float64Array;
  /** The instruction bytes compiled, and where they are in the frame. */
  readonly source: BlockSource;
  /** Page generation at which the bytes were last seen unchanged. */
  checked: number;
  /** The generated function bound to this storage: the shared one's, or after `OWN_AFTER` instructions its own (`ownFunction`). */
  run: (cpu: Esa390Cpu, g: Int32Array, end: number) => Exit | null;
  /** Instructions this block may still run before the run loop calls `ownFunction` for it. */
  untilOwn: number;
  /** What `run` was made from and bound to, for `ownFunction`. */
  readonly shared: SharedBlock;
  readonly page: CodePage;
  readonly frameBytes: Uint8Array;
  readonly helpers: BlockHelpers;
}

/** A block's instruction bytes as compiled. */
export interface BlockSource {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** Are the instruction bytes of a block still what it was compiled from? */
export function sourceUnchanged(frame: Uint8Array, s: BlockSource): boolean {
  const b = s.bytes;
  const o = s.offset;
  for (let i = 0; i < b.length; i++) if (frame[o + i] !== b[i]) return false;
  return true;
}

/** Blocks and hit counters of one storage frame. */
export interface CodePage {
  readonly frame: number;
  /** The storage array the blocks were compiled from (identity changes after a storage clear). */
  bytes: Uint8Array;
  /** Bumped by every store into the frame. */
  gen: number;
  readonly blocks: (Block | undefined)[];
  readonly hits: Uint8Array;
}

/** The code cache of one storage, shared by its CPUs. */
export interface CodeCache {
  readonly storage: SparseStorage;
  /**
   * Code pages by frame, in chunks of 256 frames (`chunks[frame >>> 8][frame & 255]`) made
   * when a frame in them first holds code: a flat array sized for a large storage (262,144
   * entries for 1 GB) costs milliseconds to create for each new machine, and one first written
   * at a high index turns into a dictionary in V8 (every store into a code page then paid a
   * hash lookup in the store hook: prsm's LPAR-vs-bare bench showed ~22 % of self time).
   */
  readonly chunks: ((CodePage | undefined)[] | undefined)[];
  /** Blocks compiled so far (a counter for benchmarks and tests), including those whose code came from another storage. */
  compiled: number;
  /** Of `compiled`, blocks whose generated function was reused from a block with the same bytes at the same address in another storage. */
  reused: number;
  /** Blocks dropped because their instruction bytes changed. */
  invalidations: number;
  /** Blocks of shared code given a generated function of their own after running long (`ownFunction`). */
  owned: number;
  /** The store callback installed on the storage. */
  hook: (frame: number) => void;
}

/** Times the interpreter reaches a block leader (branch target, instruction after a block or a system instruction) before a block is compiled there. */
export const HOT = 16;
const MAX_BLOCK = 64;

const caches = new WeakMap<SparseStorage, CodeCache>();

/** The code cache of `storage`, created (and hooked to its store callback) on first use. */
export function codeCacheOf(storage: SparseStorage): CodeCache {
  let c = caches.get(storage);
  if (c === undefined) {
    const chunks = new Array<(CodePage | undefined)[] | undefined>((storage.frameCount + 255) >>> 8).fill(
      undefined,
    );
    const cache: CodeCache = {
      storage,
      chunks,
      compiled: 0,
      reused: 0,
      invalidations: 0,
      owned: 0,
      hook: () => {},
    };
    installHook(cache);
    caches.set(storage, cache);
    c = cache;
  }
  return c;
}

/** Hook the cache to the storage's store callback, chaining whatever callback was there. */
function installHook(cache: CodeCache): void {
  const storage = cache.storage;
  const previous = storage.onWatchedWrite;
  const chunks = cache.chunks;
  cache.hook = (frame: number) => {
    const c = chunks[frame >>> 8];
    if (c !== undefined) {
      const pg = c[frame & 255];
      if (pg !== undefined) pg.gen++;
    }
    if (previous !== null) previous(frame);
  };
  storage.onWatchedWrite = cache.hook;
}

/** The code page of a frame whose instruction bytes are `bytes`. */
export function codePageOf(cache: CodeCache, frame: number, bytes: Uint8Array): CodePage {
  // Someone replaced the store callback: chain it, and distrust every block (stores may have gone unseen).
  if (cache.storage.onWatchedWrite !== cache.hook) {
    installHook(cache);
    for (const c of cache.chunks) if (c !== undefined) for (const p of c) if (p !== undefined) p.gen++;
  }
  let chunk = cache.chunks[frame >>> 8];
  if (chunk === undefined) {
    chunk = new Array<CodePage | undefined>(256).fill(undefined);
    cache.chunks[frame >>> 8] = chunk;
  }
  let pg = chunk[frame & 255];
  if (pg === undefined) {
    pg = {
      frame,
      bytes,
      gen: 0,
      blocks: new Array<Block | undefined>(2048).fill(undefined),
      hits: new Uint8Array(2048),
    };
    chunk[frame & 255] = pg;
  } else if (pg.bytes !== bytes) {
    pg.bytes = bytes;
    pg.blocks.fill(undefined);
    pg.hits.fill(0);
  }
  return pg;
}

/** What the generated code calls. */
export interface BlockHelpers {
  execute(cpu: Esa390Cpu, g: Int32Array, f: Uint8Array, o: number, b0: number, ia: number): Exit | null;
  overflow(cpu: Esa390Cpu): void;
  same(frame: Uint8Array, source: BlockSource): boolean;
  ss(cpu: Esa390Cpu, op: number, lb: number, ea1: number, ea2: number): void;
}

/** Opcode classes for the compiler, filled by dispatch.ts from the instruction table. */
export interface CompileTables {
  /** Non-zero for first bytes of general instructions the block may contain (8-bit opcodes and groups). */
  readonly general: Uint8Array;
  /** Valid A7x extensions. */
  readonly generalA7: Uint8Array;
  readonly cyc: Uint8Array;
  readonly cycA7: Uint8Array;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/*
 * Storage accesses inline: V8 does not inline cpu.read32/write32 into a large
 * block, so the TLB-hit path is written out here. It is taken only when it is
 * exactly what the accessor would do: PSW key 0 (no protection checks), the
 * page in this CPU's TLB, the frame allocated, the operand inside the page,
 * and for stores no low-address protection candidate (address >= 512) and a
 * frame without compiled code (whose stores must reach the code cache).
 * Everything else calls the accessor. Reference and change bits are set as
 * the accessor sets them.
 */
const LOAD_SHAPE: Record<4 | 2 | 1, [number, string, string]> = {
  4: [4092, '(f[O] << 24) | (f[O + 1] << 16) | (f[O + 2] << 8) | f[O + 3]', 'read32'],
  2: [4094, '(f[O] << 8) | f[O + 1]', 'read16'],
  1: [4095, 'f[O]', 'read8'],
};
const STORE_SHAPE: Record<4 | 2 | 1, [number, string, string]> = {
  4: [4092, 'f[O] = V >>> 24; f[O + 1] = V >>> 16; f[O + 2] = V >>> 8; f[O + 3] = V;', 'write32'],
  2: [4094, 'f[O] = V >>> 8; f[O + 1] = V;', 'write16'],
  1: [4095, 'f[O] = V;', 'write8'],
};

/** Code that sets `target` to the (unsigned for 2 and 1) value of `size` bytes at address expression `addr`. */
function load(size: 4 | 2 | 1, target: string, addr: string): string {
  const [last, bytes, slow] = LOAD_SHAPE[size];
  return `{ const A = ${addr}, O = A & 4095, PG = A >>> 12, SL = PG & 255, FN = TF[SL]; let f; if (O <= ${last} && TR[SL] === PG && cpu._key === 0 && (f = FR[FN]) !== undefined) { KY[FN] |= 4; ${target} = ${bytes}; } else ${target} = cpu.${slow}(A); }`;
}

/** Code that stores `value` (`size` bytes) at address expression `addr`. */
function store(size: 4 | 2 | 1, addr: string, value: string): string {
  const [last, bytes, slow] = STORE_SHAPE[size];
  return `{ const A = ${addr}, V = ${value}, O = A & 4095, PG = A >>> 12, SL = PG & 255, FN = TWF[SL]; let f; if (O <= ${last} && A >= 512 && TW[SL] === PG && cpu._key === 0 && WT[FN] === 0 && (f = FR[FN]) !== undefined) { KY[FN] |= 6; ${bytes} } else cpu.${slow}(A, V); }`;
}

/** Code that leaves the pass after instruction `k` - 1 with `ia` = `expr`. */
const leaveCode = (k: number, expr: string): string => `{ ia = ${expr}; k = ${k}; break body; }`;
/** After a store: if this page was stored into, go on only while this block's own bytes are unchanged. */
const staleCheckCode = (k: number, next: number): string =>
  `if (P.gen !== G) { if (!H.same(F, S)) ${leaveCode(k, hex(next))} G = P.gen; }`;
/** Condition code from a signed result (0 zero, 1 negative, 2 positive). */
const ccCode = (v: string): string => `cpu.cc = ${v} === 0 ? 0 : ${v} < 0 ? 1 : 2;`;
/** A branch mask tested against the condition code. */
const condCode = (mask: number): string => `((${mask} << cpu.cc) & 8) !== 0`;
/** The interpreter executes this one instruction from the frame bytes. */
const genericCode = (
  at: string,
  len: number,
  k: number,
  p: number,
  b0: number,
  a: number,
  next: number,
  AM: string,
): string =>
  `${at} cpu.ilc = ${len >>> 1}; { const x = H.execute(cpu, g, F, ${p}, ${b0}, ${hex(a)}); if (x !== null) { cpu.instructions += ${k}; cpu.cycles += CP[${k}]; return x; } if (cpu.ia !== ${hex(next)} || cpu.amask !== ${AM} || cpu.pending !== 0 || (P.gen !== G && !H.same(F, S))) ${leaveCode(k, 'cpu.ia')} G = P.gen; }`;
/** Target of a relative branch whose I2 field is at byte offset `q` of `f`, from instruction address `a`. */
const relTargetCode = (f: Uint8Array, a: number, amask: number, q: number): string => {
  const i2 = (((f[q]! << 8) | f[q + 1]!) << 16) >> 16;
  return hex((a + 2 * i2) & amask);
};

/**
 * Compile the block starting at `ia` (offset `o` in frame bytes `f`).
 * Returns null when the first instruction cannot start a block.
 */
export function compileBlock(
  cpu: Esa390Cpu,
  cache: CodeCache,
  page: CodePage,
  o: number,
  ia: number,
  helpers: BlockHelpers,
  tables: CompileTables,
): Block | null {
  const f = page.bytes;
  const amask = cpu.amask;
  const key = ia * 2 + (amask === 0x7fffffff ? 1 : 0);
  const known = SHARED.get(key);
  if (known !== undefined) {
    for (let i = 0; i < known.length; i++) {
      const sh = known[i]!;
      if (sh.amask === amask && sh.source.offset === o && sourceUnchanged(f, sh.source))
        return instantiate(cache, page, sh, helpers, true);
    }
  }
  const AM = hex(amask);
  const addrs: number[] = [];
  const lens: number[] = [];
  const cycs: number[] = [];
  const body: string[] = [];
  let p = o;
  let a = ia;
  let ended = false;
  /** Instruction cycles of the pass up to the current instruction (exclusive). */
  let cum = 0;

  /** Base-displacement address expression (wrapped) of the field at byte offset `q`, optional index `x`. */
  const ea = (q: number, x: number): string => {
    const b = f[q]! >>> 4;
    const d = ((f[q]! & 15) << 8) | f[q + 1]!;
    const parts: string[] = [];
    if (x !== 0) parts.push(`g[${x}]`);
    if (b !== 0) parts.push(`g[${b}]`);
    if (parts.length === 0) return hex(d & amask);
    if (d !== 0) parts.push(String(d));
    return `((${parts.join(' + ')}) & ${AM})`;
  };

  while (addrs.length < MAX_BLOCK && !ended) {
    if (p > 0xfff) break;
    const b0 = f[p]!;
    const len = ILEN[b0 >>> 6]!;
    if (p + len > 0x1000) break;
    const b1 = f[p + 1]!;
    if (tables.general[b0] === 0) break;
    // BSM and BASSM may switch the addressing mode, which the code below has as a constant.
    if (b0 === 0x0b || b0 === 0x0c) break;
    if (b0 === 0xa7 && tables.generalA7[b1 & 15] === 0) break;
    const i = addrs.length;
    const next = (a + len) & amask;
    const k = i + 1;
    const r1 = b1 >>> 4;
    const r2 = b1 & 15;
    // Per-instruction code pieces are plain functions of module scope (no closures per instruction:
    // under tsx every closure also pays a name-helper call, and compilation is on the run's path).
    const at = `cpu.instAddress = ${hex(a)};`;
    const staleCheck = staleCheckCode(k, next);
    let s: string;
    switch (b0) {
      case 0x18:
        s = `g[${r1}] = g[${r2}];`;
        break;
      case 0x12:
        s = `{ const v = g[${r2}]; g[${r1}] = v; ${ccCode('v')} }`;
        break;
      case 0x1a:
      case 0x1b: {
        const op = b0 === 0x1a ? '+' : '-';
        const ovf = b0 === 0x1a ? '((a ^ r) & (b ^ r)) < 0' : '((a ^ b) & (a ^ r)) < 0';
        s = `{ const a = g[${r1}], b = g[${r2}], r = (a ${op} b) | 0; g[${r1}] = r; if (${ovf}) { ${at} H.overflow(cpu); } else ${ccCode('r')} }`;
        break;
      }
      case 0x1e:
        s = `{ const a = g[${r1}], b = g[${r2}], t = (a >>> 0) + (b >>> 0), r = t | 0; g[${r1}] = r; cpu.cc = (r !== 0 ? 1 : 0) | (t > 4294967295 ? 2 : 0); }`;
        break;
      case 0x1f:
        s = `{ const a = g[${r1}], b = g[${r2}], r = (a - b) | 0; g[${r1}] = r; cpu.cc = (r !== 0 ? 1 : 0) | ((a >>> 0) >= (b >>> 0) ? 2 : 0); }`;
        break;
      case 0x14:
      case 0x16:
      case 0x17: {
        const op = b0 === 0x14 ? '&' : b0 === 0x16 ? '|' : '^';
        s = `{ const r = g[${r1}] ${op} g[${r2}]; g[${r1}] = r; cpu.cc = r === 0 ? 0 : 1; }`;
        break;
      }
      case 0x19:
        s = `{ const a = g[${r1}], b = g[${r2}]; cpu.cc = a === b ? 0 : a < b ? 1 : 2; }`;
        break;
      case 0x15:
        s = `{ const a = g[${r1}] >>> 0, b = g[${r2}] >>> 0; cpu.cc = a === b ? 0 : a < b ? 1 : 2; }`;
        break;
      case 0x58:
        s = `${at} ${load(4, `g[${r1}]`, ea(p + 2, r2))}`;
        break;
      case 0x50:
        s = `${at} ${store(4, ea(p + 2, r2), `g[${r1}]`)} ${staleCheck}`;
        break;
      case 0x41:
        s = `g[${r1}] = ${ea(p + 2, r2)};`;
        break;
      case 0x48:
        s = `${at} { let v; ${load(2, 'v', ea(p + 2, r2))} g[${r1}] = (v << 16) >> 16; }`;
        break;
      case 0x40:
        s = `${at} ${store(2, ea(p + 2, r2), `g[${r1}] & 0xffff`)} ${staleCheck}`;
        break;
      case 0x43:
        s = `${at} { let v; ${load(1, 'v', ea(p + 2, r2))} g[${r1}] = (g[${r1}] & -256) | v; }`;
        break;
      case 0x42:
        s = `${at} ${store(1, ea(p + 2, r2), `g[${r1}] & 0xff`)} ${staleCheck}`;
        break;
      case 0x5a:
      case 0x5b:
      case 0x4a:
      case 0x4b: {
        const half = b0 === 0x4a || b0 === 0x4b;
        const fetch = half
          ? `${load(2, 'b', ea(p + 2, r2))} b = (b << 16) >> 16;`
          : load(4, 'b', ea(p + 2, r2));
        const plus = b0 === 0x5a || b0 === 0x4a;
        const ovf = plus ? '((a ^ r) & (b ^ r)) < 0' : '((a ^ b) & (a ^ r)) < 0';
        s = `${at} { let b; ${fetch} const a = g[${r1}], r = (a ${plus ? '+' : '-'} b) | 0; g[${r1}] = r; if (${ovf}) H.overflow(cpu); else ${ccCode('r')} }`;
        break;
      }
      case 0x5e:
        s = `${at} { let b; ${load(4, 'b', ea(p + 2, r2))} const a = g[${r1}], t = (a >>> 0) + (b >>> 0), r = t | 0; g[${r1}] = r; cpu.cc = (r !== 0 ? 1 : 0) | (t > 4294967295 ? 2 : 0); }`;
        break;
      case 0x5f:
        s = `${at} { let b; ${load(4, 'b', ea(p + 2, r2))} const a = g[${r1}], r = (a - b) | 0; g[${r1}] = r; cpu.cc = (r !== 0 ? 1 : 0) | ((a >>> 0) >= (b >>> 0) ? 2 : 0); }`;
        break;
      case 0x54:
      case 0x56:
      case 0x57: {
        const op = b0 === 0x54 ? '&' : b0 === 0x56 ? '|' : '^';
        s = `${at} { let b; ${load(4, 'b', ea(p + 2, r2))} const r = g[${r1}] ${op} b; g[${r1}] = r; cpu.cc = r === 0 ? 0 : 1; }`;
        break;
      }
      case 0x59:
      case 0x49:
        s = `${at} { let b; ${b0 === 0x49 ? `${load(2, 'b', ea(p + 2, r2))} b = (b << 16) >> 16;` : load(4, 'b', ea(p + 2, r2))} const a = g[${r1}]; cpu.cc = a === b ? 0 : a < b ? 1 : 2; }`;
        break;
      case 0x55:
        s = `${at} { let b; ${load(4, 'b', ea(p + 2, r2))} b = b >>> 0; const a = g[${r1}] >>> 0; cpu.cc = a === b ? 0 : a < b ? 1 : 2; }`;
        break;
      case 0x4c:
        s = `${at} { let b; ${load(2, 'b', ea(p + 2, r2))} g[${r1}] = Math.imul(g[${r1}], (b << 16) >> 16); }`;
        break;
      case 0x88:
      case 0x89:
      case 0x8a: {
        const n = `(${ea(p + 2, 0)} & 63)`;
        if (b0 === 0x88) s = `{ const n = ${n}; g[${r1}] = n > 31 ? 0 : (g[${r1}] >>> n) | 0; }`;
        else if (b0 === 0x89) s = `{ const n = ${n}; g[${r1}] = n > 31 ? 0 : g[${r1}] << n; }`;
        else s = `{ const n = ${n}; const r = g[${r1}] >> (n > 31 ? 31 : n); g[${r1}] = r; ${ccCode('r')} }`;
        break;
      }
      case 0x92:
        s = `${at} ${store(1, ea(p + 2, 0), String(b1))} ${staleCheck}`;
        break;
      case 0x95:
        s = `${at} { let v; ${load(1, 'v', ea(p + 2, 0))} cpu.cc = v === ${b1} ? 0 : v < ${b1} ? 1 : 2; }`;
        break;
      case 0x91:
        s = `${at} { let v; ${load(1, 'v', ea(p + 2, 0))} v &= ${b1}; cpu.cc = v === 0 ? 0 : v === ${b1} ? 3 : 1; }`;
        break;
      case 0xd2:
      case 0xd5: {
        // MVC and CLC with both operands in TLB-resident, allocated frames, each inside one page:
        // byte by byte inline (left to right, so MVC overlap propagates); else the SS helper.
        const l = b1;
        const mvc = b0 === 0xd2;
        const dst = mvc ? 'TW[S1] === P1 && WT[F1] === 0 && A1 >= 512' : 'TR[S1] === P1';
        const inline = mvc
          ? `KY[F1] |= 6; KY[F2] |= 4; for (let i = 0; i <= ${l}; i++) f1[O1 + i] = f2[O2 + i];`
          : `KY[F1] |= 4; KY[F2] |= 4; let c = 0; for (let i = 0; i <= ${l}; i++) { const x = f1[O1 + i], y = f2[O2 + i]; if (x !== y) { c = x < y ? 1 : 2; break; } } cpu.cc = c;`;
        s =
          `${at} { const A1 = ${ea(p + 2, 0)}, A2 = ${ea(p + 4, 0)}, O1 = A1 & 4095, O2 = A2 & 4095, P1 = A1 >>> 12, P2 = A2 >>> 12, S1 = P1 & 255, S2 = P2 & 255, F1 = ${mvc ? 'TWF' : 'TF'}[S1], F2 = TF[S2]; let f1, f2; ` +
          `if (O1 + ${l} <= 4095 && O2 + ${l} <= 4095 && cpu._key === 0 && ${dst} && TR[S2] === P2 && (f1 = FR[F1]) !== undefined && (f2 = FR[F2]) !== undefined) { ${inline} } ` +
          `else H.ss(cpu, ${b0}, ${l}, A1, A2); } ${mvc ? staleCheck : ''}`;
        break;
      }
      case 0xa7: {
        const i2 = (((f[p + 2]! << 8) | f[p + 3]!) << 16) >> 16;
        switch (r2) {
          case 0x8:
            s = `g[${r1}] = ${i2};`;
            break;
          case 0xa:
            s = `{ const a = g[${r1}], r = (a + ${i2}) | 0; g[${r1}] = r; if (((a ^ r) & (${i2} ^ r)) < 0) { ${at} H.overflow(cpu); } else ${ccCode('r')} }`;
            break;
          case 0xe:
            s = `{ const a = g[${r1}]; cpu.cc = a === ${i2} ? 0 : a < ${i2} ? 1 : 2; }`;
            break;
          case 0xc:
            s = `g[${r1}] = Math.imul(g[${r1}], ${i2});`;
            break;
          case 0x4:
            if (r1 === 0) s = '';
            else if (r1 === 15) {
              s = `${leaveCode(k, relTargetCode(f, a, amask, p + 2))}`;
              ended = true;
            } else s = `if (${condCode(r1)}) ${leaveCode(k, relTargetCode(f, a, amask, p + 2))}`;
            break;
          case 0x6:
            s = `{ const v = (g[${r1}] - 1) | 0; g[${r1}] = v; if (v !== 0) ${leaveCode(k, relTargetCode(f, a, amask, p + 2))} }`;
            break;
          case 0x5:
            s = `g[${r1}] = ${amask === 0x7fffffff ? (next | 0x80000000) | 0 : next}; ${leaveCode(k, relTargetCode(f, a, amask, p + 2))}`;
            ended = true;
            break;
          default:
            s = genericCode(at, len, k, p, b0, a, next, AM);
        }
        break;
      }
      case 0x47: {
        const target = ea(p + 2, r2);
        if (r1 === 0) s = '';
        else if (r1 === 15) {
          s = leaveCode(k, target);
          ended = true;
        } else s = `if (${condCode(r1)}) ${leaveCode(k, target)}`;
        break;
      }
      case 0x07:
        if (r1 === 0 || r2 === 0) s = '';
        else if (r1 === 15) {
          s = leaveCode(k, `g[${r2}] & ${AM}`);
          ended = true;
        } else s = `if (${condCode(r1)}) ${leaveCode(k, `g[${r2}] & ${AM}`)}`;
        break;
      case 0x46:
        s = `{ const t = ${ea(p + 2, r2)}; const v = (g[${r1}] - 1) | 0; g[${r1}] = v; if (v !== 0) ${leaveCode(k, 't')} }`;
        break;
      case 0x06:
        s = `{ const t = g[${r2}] & ${AM}; const v = (g[${r1}] - 1) | 0; g[${r1}] = v; ${r2 !== 0 ? `if (v !== 0) ${leaveCode(k, 't')}` : ''} }`;
        break;
      case 0x86:
      case 0x87:
      case 0x84:
      case 0x85: {
        const target = b0 >= 0x86 ? ea(p + 2, 0) : relTargetCode(f, a, amask, p + 2);
        const test = b0 === 0x86 || b0 === 0x84 ? 's > c' : 's <= c';
        s = `{ const t = ${target}; const c = g[${r2 | 1}]; const s = (g[${r1}] + g[${r2}]) | 0; g[${r1}] = s; if (${test}) ${leaveCode(k, 't')} }`;
        break;
      }
      case 0x90:
      case 0x98: {
        // STM/LM within one TLB-resident page inline, unrolled; otherwise the interpreter's.
        const count = ((r2 - r1) & 15) + 1;
        const stm = b0 === 0x90;
        const parts: string[] = [];
        for (let i = 0; i < count; i++) {
          const r = (r1 + i) & 15;
          const q = `O + ${4 * i}`;
          parts.push(
            stm
              ? `{ const V = g[${r}]; f[${q}] = V >>> 24; f[${q} + 1] = V >>> 16; f[${q} + 2] = V >>> 8; f[${q} + 3] = V; }`
              : `g[${r}] = (f[${q}] << 24) | (f[${q} + 1] << 16) | (f[${q} + 2] << 8) | f[${q} + 3];`,
          );
        }
        const page = stm ? 'A >= 512 && TW[SL] === PG && WT[FN] === 0' : 'TR[SL] === PG';
        s =
          `{ const A = ${ea(p + 2, 0)}, O = A & 4095, PG = A >>> 12, SL = PG & 255, FN = ${stm ? 'TWF' : 'TF'}[SL]; let f; ` +
          `if (O <= ${4096 - 4 * count} && cpu._key === 0 && ${page} && (f = FR[FN]) !== undefined) { KY[FN] |= ${stm ? 6 : 4}; ${parts.join(' ')} } ` +
          `else { ${genericCode(at, len, k, p, b0, a, next, AM)} } }`;
        break;
      }
      case 0x45:
      case 0x05: {
        // BAL/BALR link information: in 24-bit mode ILC, cc and program mask left of the address.
        const link =
          amask === 0x7fffffff
            ? String(next | 0x80000000 | 0)
            : `(${(len >>> 1) << 30} | (cpu.cc << 28) | (cpu.progmask << 24) | ${next})`;
        if (b0 === 0x05 && r2 === 0) s = `g[${r1}] = ${link};`;
        else {
          const target = b0 === 0x45 ? ea(p + 2, r2) : `g[${r2}] & ${AM}`;
          s = `{ const t = ${target}; g[${r1}] = ${link}; ${leaveCode(k, 't')} }`;
          ended = true;
        }
        break;
      }
      case 0x4d:
      case 0x0d: {
        const link = amask === 0x7fffffff ? next | 0x80000000 | 0 : next;
        if (b0 === 0x0d && r2 === 0) s = `g[${r1}] = ${link};`;
        else {
          const target = b0 === 0x4d ? ea(p + 2, r2) : `g[${r2}] & ${AM}`;
          s = `{ const t = ${target}; g[${r1}] = ${link}; ${leaveCode(k, 't')} }`;
          ended = true;
        }
        break;
      }
      default:
        s = genericCode(at, len, k, p, b0, a, next, AM);
    }
    const ci = b0 === 0xa7 ? tables.cycA7[r2]! : tables.cyc[b0]!;
    cum += ci;
    // Storage accesses (DAT walks) and EXECUTE targets add cycles mid-pass: stop at the boundary
    // where the interpreter would see the timer deadline, so timer interruptions come at the
    // same instruction with or without compilation.
    if (s.includes('cpu.instAddress'))
      s += ` if (cpu.cycles + ${cum} >= cpu.timerDeadline) ${leaveCode(k, hex(next))}`;
    body.push(s);
    addrs.push(a);
    lens.push(len);
    cycs.push(ci);
    p += len;
    a = next;
  }
  const n = addrs.length;
  if (n === 0) return null;
  const cycPrefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cycPrefix[i + 1] = cycPrefix[i]! + cycs[i]!;
  const src = `
return function block(cpu, g, end) {
  let G = P.gen;
  const TR = cpu.tlbPageR, TF = cpu.tlbFrameR, TW = cpu.tlbPageW, TWF = cpu.tlbFrameW;
  const ST = cpu.storage, FR = ST.frames, KY = ST.keys, WT = ST.watched;
  for (;;) {
    let ia = ${hex(a)};
    let k = ${n};
    body: {
${body.join('\n')}
    }
    cpu.instructions += k;
    cpu.cycles += CP[k];
    if (ia !== ${hex(ia)} || cpu.instructions + ${n} > end || cpu.pending !== 0 || cpu.cycles + ${cycPrefix[n - 1]} >= cpu.timerDeadline) {
      cpu.ia = ia;
      return null;
    }
  }
};`;
  const source: BlockSource = { offset: o, bytes: f.slice(o, p) };
  const make = new Function('H', 'P', 'F', 'CP', 'S', src) as SharedBlock['make'];
  const sh: SharedBlock = {
    ia,
    amask,
    n,
    addrs: Int32Array.from(addrs),
    lens: Uint8Array.from(lens),
    cycPrefix,
    source,
    src,
    instances: 0,
    make,
  };
  if (SHARED.size >= MAX_SHARED) SHARED.clear();
  if (known === undefined) SHARED.set(key, [sh]);
  else if (known.length < MAX_SHARED_PER_ADDRESS) known.push(sh);
  else known[(ia >>> 1) % MAX_SHARED_PER_ADDRESS] = sh;
  return instantiate(cache, page, sh, helpers, false);
}

/**
 * What a compiled block is apart from the storage it runs on: its generated
 * function's factory and the metadata, all determined by its instruction
 * bytes, its address and the addressing mode (the code reads nothing else
 * from the frame). Shared by every storage that holds the same bytes at the
 * same address (each MINIKERN, CMS or LPAR built in a process runs the same
 * code at the same addresses): such a block is instantiated from here, and
 * V8 reuses the factory's parsed and optimised code, instead of generating,
 * parsing and warming up the same function once per storage.
 */
interface SharedBlock {
  readonly ia: number;
  readonly amask: number;
  readonly n: number;
  readonly addrs: Int32Array;
  readonly lens: Uint8Array;
  readonly cycPrefix: Float64Array;
  /** The bytes compiled (never written: blocks compare frames against them). */
  readonly source: BlockSource;
  /** The factory's source text, for a long-running instance's own function (`ownFunction`). */
  readonly src: string;
  /** Blocks made from `make` so far: from the second on, V8 no longer specialises the generated function to one block's bindings. */
  instances: number;
  readonly make: (
    h: BlockHelpers,
    page: CodePage,
    f: Uint8Array,
    cp: Float64Array,
    s: BlockSource,
  ) => Block['run'];
}

/**
 * Shared blocks by address and addressing mode (`ia * 2 + (31-bit ? 1 : 0)`).
 * Bounded: a hostile or self-modifying guest compiles ever new blocks, so the
 * table is cleared when it is full (blocks already made keep their code) and
 * each address keeps a few byte variants.
 */
const SHARED = new Map<number, SharedBlock[]>();
const MAX_SHARED = 8192;
const MAX_SHARED_PER_ADDRESS = 4;

/** A block of `page` in `cache`'s storage from a shared one whose bytes are in the frame at its offset. */
function instantiate(
  cache: CodeCache,
  page: CodePage,
  sh: SharedBlock,
  helpers: BlockHelpers,
  reused: boolean,
): Block {
  const block: Block = {
    ia: sh.ia,
    amask: sh.amask,
    n: sh.n,
    addrs: sh.addrs,
    lens: sh.lens,
    cycPrefix: sh.cycPrefix,
    source: sh.source,
    checked: page.gen,
    run: sh.make(helpers, page, page.bytes, sh.cycPrefix, sh.source),
    untilOwn: OWN_AFTER,
    shared: sh,
    page,
    frameBytes: page.bytes,
    helpers,
  };
  sh.instances++;
  cache.storage.watched[page.frame] = 1;
  cache.compiled++;
  if (reused) cache.reused++;
  return block;
}

/**
 * Instructions a block runs on its shared generated function before it is
 * given one of its own (0.03-0.1 s of a compiled loop). The new function
 * starts cold and costs some 5 ms to warm up: with 2^20 a bare machine
 * running a 9M-instruction loop (hypervisor-cp's bench, a new machine per
 * run) lost a third of its speed; at 2^24 machines that live that long
 * (MINIKERN, CMS, such loops in tests and benches) keep the shared warm code
 * and a longer run pays a few percent once to gain some 12 % after.
 */
export const OWN_AFTER = 1 << 24;

/** Source suffixes keeping V8's eval cache from handing back the shared factory's feedback. */
let ownSerial = 0;

/**
 * Give a block that has run `OWN_AFTER` instructions a generated function of
 * its own, if its shared factory has made more than one block. V8 specialises
 * an optimised function to the bindings of its closure (P, F, CP, S here:
 * the page, its bytes, the cycle table, the source) only while its factory
 * has made one closure; from the second on every closure runs code that loads
 * and checks them (four LPARs running the same program at the same guest
 * address ran about 12 % slower than one). The same source text with a unique
 * comment appended is a new script to V8, so the block gets its own feedback
 * and specialised code; what it computes is unchanged (same text).
 */
export function ownFunction(block: Block, cache: CodeCache): void {
  const sh = block.shared;
  if (sh.instances < 2) {
    // Still the factory's only closure, so already specialised: look again later.
    block.untilOwn = OWN_AFTER;
    return;
  }
  block.untilOwn = Number.POSITIVE_INFINITY;
  const make = new Function(
    'H',
    'P',
    'F',
    'CP',
    'S',
    `${sh.src}\n// own ${++ownSerial}`,
  ) as SharedBlock['make'];
  block.run = make(block.helpers, block.page, block.frameBytes, sh.cycPrefix, sh.source);
  cache.owned++;
}

/** Charge the instructions of `block` executed up to and including the one at `cpu.instAddress`; returns its ILC. */
export function chargePartialBlock(cpu: Esa390Cpu, block: Block): number {
  const addrs = block.addrs;
  for (let i = 0; i < addrs.length; i++) {
    if (addrs[i] === cpu.instAddress) {
      cpu.instructions += i + 1;
      cpu.cycles += block.cycPrefix[i + 1]!;
      return block.lens[i]! >>> 1;
    }
  }
  return cpu.ilc;
}
