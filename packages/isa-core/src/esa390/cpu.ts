/**
 * The ESA/390 CPU: registers, the unpacked PSW, the storage-access pipeline
 * (logical → DAT → real → prefixing → absolute → host layer → storage, with
 * key-controlled, fetch and low-address protection), the run loop and the
 * program-interruption path (POP SA22-7201 chapters 3, 4, 5 and 6).
 *
 * Guest misbehaviour never throws out of `step()`/`run()`: an exception
 * recognised inside an instruction calls `programCheck(code)`, which throws a
 * preallocated sentinel (like Hercules' longjmp out of an instruction); the
 * run loop catches it and performs the program interruption through the
 * prefix area, or returns an `interception` Exit when the policy routes the
 * exception to a host.
 *
 * The general instructions live in ops/ (one hot dispatcher plus out-of-line
 * helpers); privileged instructions, SVC, STCK and interruption delivery other
 * than program interruptions live in system/.
 *
 * Contract with system/ (execute.ts, interrupts.ts):
 * - `executeSystem(cpu, key, w0, w1)` is called for rows marked privileged
 *   plus SVC and STCK, after the privileged-operation check (problem state →
 *   0x02) has been made here. `w0` = instruction bytes 0-3 (for the target of
 *   EXECUTE, with byte 1 already OR-ed), `w1` = bytes 4-5 of 6-byte ones.
 *   When it runs, `cpu.ia` already holds the next sequential instruction
 *   address (EXECUTE-aware), `cpu.instAddress` the instruction's own address
 *   (or the EXECUTE's), `cpu.ilc` its ILC. Program checks raised inside are
 *   reported from instAddress/ilc, whatever `ia` has become. After it returns
 *   null the core re-checks state, wait bit and pending interruptions.
 * - X'08' SSK and X'09' ISK raise the operation exception here (Hercules 3.13
 *   in ESA/390 mode); TS, SPM, IPM are done here.
 * - After changing CR0/CR1/CR7/CR13, the prefix, a storage key (SSKE, RRBE),
 *   or DAT tables (IPTE, PTLB), call `flushTlb()` on every affected CPU:
 *   the core caches translations and the instruction frame. PSW fields
 *   (sysmask, key, asc, amode31) flush by themselves when assigned.
 * - `setPsw(hi, lo)` returning false: raise `programCheck(0x06)` right away;
 *   the program old PSW is then the invalid PSW itself with ILC 0.
 * - `deliverInterruptions(cpu)` is called at instruction boundaries when
 *   `cpu.pending !== 0` or `cpu.cycles >= cpu.timerDeadline`, and at the
 *   start of run(); a program check raised inside it is handled too.
 *
 * Hot instruction runs are compiled to JavaScript (ops/compile.ts). The
 * generated code reads `_key`, the TLB arrays (`tlbPageR/W`, `tlbFrameR/W`)
 * and the storage's frames, keys and watched arrays directly for its inline
 * load/store fast path; whatever invalidates the accessors' view must go
 * through `dropTranslations()`/`flushTlb()`, which both paths share.
 */
import type { CostModel } from '../framework/cost-model';
import type { Cpu, Exit, InterceptionPolicy } from '../framework/exit';
import { NO_INTERCEPTION } from '../framework/exit';
import { FRAME_SHIFT, KEY_FETCH, type SparseStorage } from '../framework/storage';
import {
  Access,
  createTranslationStatus,
  TRANSLATION_FAULT,
  type TranslationStatus,
  type Translator,
} from '../framework/translator';
import { ESA390_REFERENCE_MACHINE } from './cost';
import type { Esa390Dat } from './dat';
import { type Block, type CodeCache, type CodePage, chargePartialBlock, codeCacheOf, codePageOf } from './ops/compile';
import { EXIT_BUDGET, EXIT_REBUDGET, EXIT_STOPPED, EXIT_WAIT_DISABLED, EXIT_WAIT_ENABLED, ILEN, PGM } from './ops/constants';
import { interpret } from './ops/dispatch';

export { ILEN, PGM } from './ops/constants';
import { PSW_DAT, PSW_ESA_BIT, PSW_EXT, PSW_IO, PSW_WAIT, pswSpecificationError } from './psw';
import { deliverInterruptions, refreshPending, restartCpu } from './system/interrupts';

/** Run state of a CPU (POP "CPU States"): operating, stopped, or check-stop after a machine malfunction it cannot handle. */
export type Esa390CpuState = 'operating' | 'stopped' | 'check-stop';

/** The instruction-trace hook: called before each instruction with its address and length in bytes. */
export type Esa390TraceHook = (cpu: Esa390Cpu, address: number, length: number) => void;

/** Construction options of an ESA/390 CPU. */
export interface Esa390CpuOptions {
  /** CPU address (STAP), 0 for the first CPU of a configuration. */
  readonly id?: number;
  /** Absolute main storage of the machine (shared by the CPUs of a configuration). */
  readonly storage: SparseStorage;
  /** DAT port (@strachey/mmu); without one, turning the PSW T bit on check-stops the CPU. */
  readonly dat?: Esa390Dat | null;
  /** Absolute → host relocation (zone origin, SIE origin); null: absolute addresses index `storage` directly. */
  readonly hostLayer?: Translator | null;
  /** What a host wants to see; default: nothing (bare machine). */
  readonly policy?: InterceptionPolicy;
  /** Reference-machine cost model; default ESA390_REFERENCE_MACHINE. */
  readonly costModel?: CostModel;
}

/** Low-address protection control, CR0 bit 3 (POP "Low-Address Protection"). */
export const CR0_LOW_ADDRESS_PROTECTION = 0x10000000;

/** Real-storage locations of the prefix area used by program interruptions (POP "Assigned Storage Locations"). */
const PGM_OLD_PSW = 0x28;
const PGM_NEW_PSW = 0x68;
const PGM_INT_ID = 0x8c;
const TEA = 0x90;

const TLB_SIZE = 256;
const TLB_MASK = TLB_SIZE - 1;

/** What kind of abort the sentinel carries. */
const ABORT_PROGRAM = 0;
const ABORT_HOST_TRANSLATION = 1;
const ABORT_CHECK_STOP = 2;

/**
 * The object thrown by programCheck(). Preallocated and not an Error, so no
 * stack is captured; it never escapes step()/run().
 */
class InstructionAbort {
  readonly what = 'esa390-instruction-abort';
}
const ABORT = new InstructionAbort();

/**
 * Exceptions that *nullify* the instruction (POP "Types of Instruction
 * Ending"): the old PSW points at the instruction so it is re-executed after
 * the cause is removed. Segment and page translation are the ones this subset
 * raises; all others suppress, terminate or complete and the old PSW points
 * past the instruction.
 */
function isNullifying(code: number): boolean {
  return code === 0x10 || code === 0x11;
}
/** Exceptions recognised after the instruction completed (result stored, condition code set; the space-switch event of SAC). */
function isCompleting(code: number): boolean {
  return code === 0x08 || code === 0x0a || code === 0x1c;
}

/**
 * One ESA/390 CPU. The architected state is public so the system
 * instructions, the machine, snapshot/restore and hosts can reach it; the
 * PSW is kept unpacked in fields (see psw.ts) and packed only when stored.
 *
 * Storage helpers take *logical* addresses (as a program forms them) and
 * apply, in the architected order: 24/31-bit wrap per addressing mode,
 * low-address protection on stores (CR0 bit 3, locations 0-511), DAT when the
 * PSW T bit is one, prefixing, the host layer, the addressing exception beyond
 * storage, key-controlled and fetch protection (PSW key 0 bypasses), and they
 * set the reference and change bits of the storage key.
 */
export class Esa390Cpu implements Cpu {
  /** CPU address, as STAP stores it and SIGP names it. */
  readonly id: number;
  /** General registers 0-15 (signed int32 view; use `>>> 0` for unsigned). */
  readonly gpr = new Int32Array(16);
  /** Control registers 0-15. After changing one that affects translation (CR0, CR1, CR7, CR13), call flushTlb(). */
  readonly cr = new Int32Array(16);

  /** PSW condition code, 0-3 (bits 18-19). */
  cc = 0;
  /** PSW program mask (bits 20-23): fixed-point overflow 8, decimal overflow 4, exponent underflow 2, significance 1. */
  progmask = 0;
  /** PSW instruction address: while an instruction executes, its own address; afterwards the next one. */
  ia = 0;
  /** Low four bits of PSW byte 1: ESA bit (must be one), machine-check mask, wait, problem state. */
  flags = PSW_ESA_BIT;

  /** Prefix register: the absolute address of this CPU's 4 KB prefix area (real page 0). Call flushTlb() after changing it. */
  prefix = 0;
  /** Instructions executed (including those that ended in a program interruption). */
  instructions = 0;
  /**
   * Interruptions taken so far (program, SVC, external, I/O, restart). They
   * count against run()'s budget with the instructions: a program-interruption
   * loop on an instruction fetch completes no instruction, and run() must
   * still return.
   */
  interruptionCount = 0;
  /** Simulated cycles of the reference machine consumed so far. */
  cycles = 0;
  /** Next cycle count at which the CPU timer or clock comparator may fire; maintained by the system side. */
  timerDeadline = Number.POSITIVE_INFINITY;
  /** Bit mask of pending interruption classes, maintained by the system side; non-zero makes the run loop call deliverInterruptions(). */
  pending = 0;
  state: Esa390CpuState = 'stopped';
  /** Why the CPU entered check-stop (for the Exit). */
  checkStopReason = '';

  /** @internal */
  private _storage: SparseStorage;
  /** DAT port, used when the PSW T bit is one. */
  dat: Esa390Dat | null;
  policy: InterceptionPolicy;
  costModel: CostModel;

  /** Instruction-length code of the current instruction (1, 2, 3 for 2, 4, 6 bytes; 0 after an early PSW exception). */
  ilc = 0;
  /** Address of the instruction being executed (of the EXECUTE instruction when executing its target). */
  instAddress = 0;
  /** Translation-exception identification of the last translation fault (stored at real X'90'). */
  tea = 0;
  /** Addresses where run() stops before executing (not on the first instruction of a run). */
  readonly breakpoints = new Set<number>();
  /** Instruction-trace hook; null costs one check per run() call, not per instruction. */
  trace: Esa390TraceHook | null = null;

  /** @internal the program-interruption code of the pending abort */
  abortCode = 0;
  /** @internal */
  abortKind = ABORT_PROGRAM;
  /** @internal set while fetching an instruction, so an access exception is reported as an instruction-fetch exception */
  fetching = false;
  /** @internal true while executing the target of EXECUTE */
  execFlag = false;
  /** @internal address of the EXECUTE target (relative branches are relative to it) */
  exTarget = 0;
  /** @internal raw words of an invalid PSW made current by setPsw, stored as the old PSW with ILC 0 (early exception) */
  invalidPsw = false;
  /** @internal */
  invalidPswHi = 0;
  /** @internal */
  invalidPswLo = 0;

  /** @internal 0x7fffffff in 31-bit mode, 0x00ffffff in 24-bit mode */
  amask = 0x00ffffff;
  /** @internal */
  private _sysmask = 0;
  /** @internal */
  private _key = 0;
  /** @internal */
  private _asc = 0;
  /** @internal */
  private _hostLayer: Translator | null;

  /**
   * Compile hot instruction runs to JavaScript functions (see ops/compile.ts).
   * Off, every instruction is interpreted; results are the same either way.
   */
  blockCompilation = true;
  /** @internal code cache of `storage` (shared by its CPUs) */
  codeCache: CodeCache | null = null;
  /** @internal code page of the cached instruction frame */
  codePage: CodePage | null = null;
  /** @internal the compiled block running, for exception bookkeeping */
  activeBlock: Block | null = null;

  /** @internal instruction-fetch cache: logical page (address >>> 12) of ipFrame, or -1 */
  ipPage = -1;
  /** @internal the storage frame holding that page */
  ipFrame: Uint8Array;
  /** @internal offset of the instruction in the array fetchInstruction() returned */
  fetchOffset = 0;
  /** @internal bytes of an instruction that crosses a page boundary, or of an EXECUTE target */
  readonly ibuf = new Uint8Array(8);
  /** @internal */
  readonly exbuf = new Uint8Array(8);

  /** @internal logical page → storage frame, for fetches and reads */
  readonly tlbPageR = new Int32Array(TLB_SIZE).fill(-1);
  /** @internal */
  readonly tlbFrameR = new Int32Array(TLB_SIZE);
  /** @internal logical page → storage frame, for stores (filled only after a store translation) */
  readonly tlbPageW = new Int32Array(TLB_SIZE).fill(-1);
  /** @internal */
  readonly tlbFrameW = new Int32Array(TLB_SIZE);
  /** Scratch for the DAT port and the host layer. */
  readonly translationStatus: TranslationStatus = createTranslationStatus();
  private readonly hostStatus: TranslationStatus = createTranslationStatus();

  constructor(options: Esa390CpuOptions) {
    this.id = options.id ?? 0;
    this._storage = options.storage;
    this.dat = options.dat ?? null;
    this._hostLayer = options.hostLayer ?? null;
    this.policy = options.policy ?? NO_INTERCEPTION;
    this.costModel = options.costModel ?? ESA390_REFERENCE_MACHINE;
    this.ipFrame = this.ibuf;
  }

  // ---------------------------------------------------------------- PSW

  /** PSW byte 0: PER (0x40), DAT (0x04), I/O (0x02) and external (0x01) masks. */
  get sysmask(): number {
    return this._sysmask;
  }
  set sysmask(v: number) {
    if (((v ^ this._sysmask) & PSW_DAT) !== 0) this.dropTranslations();
    const enabled = (v & ~this._sysmask & (PSW_IO | PSW_EXT)) !== 0;
    this._sysmask = v & 0xff;
    // A newly enabled class may have a condition pending: let the next boundary see it.
    if (enabled) refreshPending(this);
  }
  /** PSW key, 0-15: matched against storage keys for protection. */
  get key(): number {
    return this._key;
  }
  set key(v: number) {
    if (v !== this._key) this.dropTranslations();
    this._key = v & 0xf;
  }
  /** Address-space control, PSW bits 16-17: 0 primary, 1 access-register, 2 secondary, 3 home. */
  get asc(): number {
    return this._asc;
  }
  set asc(v: number) {
    if (v !== this._asc) this.dropTranslations();
    this._asc = v & 3;
  }
  /** Addressing mode, PSW bit 32: true for 31-bit, false for 24-bit. */
  get amode31(): boolean {
    return this.amask === 0x7fffffff;
  }
  set amode31(v: boolean) {
    this.amask = v ? 0x7fffffff : 0x00ffffff;
  }
  /** Absolute storage of the machine (host storage when a host layer relocates); replacing it drops cached translations. */
  get storage(): SparseStorage {
    return this._storage;
  }
  set storage(v: SparseStorage) {
    this._storage = v;
    this.dropTranslations();
  }
  /** Absolute → host relocation layer (zone, SIE origin); null = identity. */
  get hostLayer(): Translator | null {
    return this._hostLayer;
  }
  set hostLayer(v: Translator | null) {
    this._hostLayer = v;
    this.dropTranslations();
  }
  /** Is the CPU in problem state (PSW bit 15)? */
  get problemState(): boolean {
    return (this.flags & 1) !== 0;
  }

  /** The current PSW as its two architected words (unsigned). */
  getPsw(): [high: number, low: number] {
    const high =
      (this._sysmask << 24) | (this._key << 20) | (this.flags << 16) | (this._asc << 14) | (this.cc << 12) |
      (this.progmask << 8);
    const low = (this.amask === 0x7fffffff ? 0x80000000 : 0) | (this.ia & this.amask);
    return [high >>> 0, low >>> 0];
  }

  /**
   * Make a PSW current (LPSW, interruptions, restart). Returns false when the
   * PSW is invalid (POP "Early Exception Recognition"): the fields are loaded
   * anyway and the raw words remembered, so that the specification exception
   * the caller then raises with `programCheck(0x06)` stores this very PSW as
   * the program old PSW with ILC 0, as Hercules 3.13 does.
   */
  setPsw(high: number, low: number): boolean {
    const sysmask = (high >>> 24) & 0xff;
    const key = (high >>> 20) & 0xf;
    const asc = (high >>> 14) & 3;
    if (((sysmask ^ this._sysmask) & PSW_DAT) !== 0 || key !== this._key || asc !== this._asc) this.dropTranslations();
    this._sysmask = sysmask;
    this._key = key;
    this.flags = (high >>> 16) & 0xf;
    this._asc = asc;
    this.cc = (high >>> 12) & 3;
    this.progmask = (high >>> 8) & 0xf;
    this.amask = (low & 0x80000000) !== 0 ? 0x7fffffff : 0x00ffffff;
    this.ia = low & 0x7fffffff;
    // The new masks decide what is deliverable (inside a machine or not).
    refreshPending(this);
    if (pswSpecificationError(high, low)) {
      this.invalidPsw = true;
      this.invalidPswHi = high >>> 0;
      this.invalidPswLo = low >>> 0;
      return false;
    }
    this.invalidPsw = false;
    return true;
  }

  /**
   * Host-side PSW load (a hypervisor dispatching a virtual CPU, a reset, a
   * restore): makes the PSW current as setPsw() does, but forgets any
   * invalid PSW recorded for an early specification exception, so the next
   * program interruption stores the current PSW with its real ILC. Returns
   * whether the PSW is valid (POP "Early Exception Recognition").
   */
  loadPsw(high: number, low: number): boolean {
    const valid = this.setPsw(high, low);
    this.invalidPsw = false;
    return valid;
  }

  // ----------------------------------------------------------- exceptions

  /**
   * Recognise a program exception in the current instruction. Never returns:
   * the run loop performs the program interruption (or the interception).
   * Translation exceptions take the TEA from `cpu.tea`.
   */
  programCheck(code: number): never {
    this.abortCode = code;
    this.abortKind = ABORT_PROGRAM;
    throw ABORT;
  }

  /**
   * A key-controlled, fetch or low-address protection exception at logical
   * address `a`. With suppression on protection, as Hercules 3.13 implements
   * it in ESA/390 mode, the TEA at X'90' identifies the page: its logical
   * address (bits 1-19) and, with DAT on, the address space (bit 0 for
   * secondary, bits 30-31 the address-space control), the same form the DAT
   * port gives a page-protection exception (which adds bit 29). Hercules 3.13
   * stores X'00001000' for a store into a key-protected X'1000' in real mode
   * and X'00000000' for a low-address-protected store to X'100'.
   */
  protectionException(a: number): never {
    let tea = a & 0x7ffff000;
    if ((this._sysmask & PSW_DAT) !== 0) tea |= (this._asc === 2 ? 0x80000000 : 0) | this._asc;
    this.tea = tea;
    this.programCheck(PGM.PROTECTION);
  }

  /** Enter the check-stop state from inside an instruction (a malfunction the machine cannot handle). */
  checkStop(why: string): never {
    this.checkStopReason = why;
    this.abortKind = ABORT_CHECK_STOP;
    throw ABORT;
  }

  // ------------------------------------------------------ address pipeline

  /**
   * Purge every translation this CPU holds: the core's own caches and the
   * DAT port's TLB (PTLB; after CR, prefix, storage-key or DAT-table changes).
   */
  flushTlb(): void {
    this.dropTranslations();
    this.dat?.flush();
  }

  /**
   * Drop the core's own caches (logical page → storage frame, the
   * instruction frame), which depend on the PSW's DAT bit, key and
   * address-space control, but not the DAT port's TLB: that one is tagged
   * by segment-table designation and only PTLB/IPTE purge it.
   */
  dropTranslations(): void {
    this.tlbPageR.fill(-1);
    this.tlbPageW.fill(-1);
    this.ipPage = -1;
  }

  /** Prefixing (POP "Prefixing"): real page 0 ↔ the prefix area. */
  realToAbsolute(real: number): number {
    const page = real & 0x7ffff000;
    if (page === 0) return (real | this.prefix) >>> 0;
    if (page === this.prefix) return real & 0xfff;
    return real >>> 0;
  }

  /**
   * An absolute address as an index into `storage`: through the host layer
   * (whose faults are host interceptions or the guest's addressing exception)
   * and the addressing check against the storage size.
   */
  absoluteToStorage(abs: number, access: Access): number {
    let a = abs;
    const host = this._hostLayer;
    if (host !== null) {
      const st = this.hostStatus;
      const r = host.translate(a, access, st);
      this.cycles += st.cycles;
      st.cycles = 0;
      if (r === TRANSLATION_FAULT) {
        if (st.hostFault) {
          this.abortCode = st.code;
          this.abortKind = ABORT_HOST_TRANSLATION;
          throw ABORT;
        }
        this.programCheck(st.code);
      }
      a = r;
    }
    if (a >= this.storage.size) this.programCheck(PGM.ADDRESSING);
    return a;
  }

  /**
   * A logical address to absolute for an access of the given kind (I/O
   * operands, LRA-style helpers): DAT if on, then prefixing. Raises the
   * access exceptions of translation (not protection).
   */
  logicalToAbsolute(address: number, access: Access): number {
    const a = address & this.amask;
    let real = a;
    if ((this._sysmask & PSW_DAT) !== 0) real = this.translateDat(a, access);
    return this.realToAbsolute(real);
  }

  private translateDat(a: number, access: Access): number {
    const dat = this.dat;
    if (dat === null) this.checkStop('PSW DAT mode without a DAT port (no @strachey/mmu translator attached)');
    const st = this.translationStatus;
    const r = dat.translate(a, access, st);
    // The walker accumulates the cycles of TLB misses and table references: charge them here.
    this.cycles += st.cycles;
    st.cycles = 0;
    if (r === TRANSLATION_FAULT) {
      this.tea = st.exceptionId;
      if (st.hostFault) {
        this.abortCode = st.code;
        this.abortKind = ABORT_HOST_TRANSLATION;
        throw ABORT;
      }
      this.programCheck(st.code);
    }
    return r;
  }

  /** @internal TLB miss: logical (already wrapped) address → storage frame number, and cache it. */
  fillTlb(a: number, access: Access): number {
    let real = a;
    if ((this._sysmask & PSW_DAT) !== 0) real = this.translateDat(a, access);
    const s = this.absoluteToStorage(this.realToAbsolute(real), access);
    const frame = s >>> FRAME_SHIFT;
    const page = a >>> 12;
    const slot = page & TLB_MASK;
    if (access === Access.Write) {
      this.tlbPageW[slot] = page;
      this.tlbFrameW[slot] = frame;
    } else {
      this.tlbPageR[slot] = page;
      this.tlbFrameR[slot] = frame;
    }
    return frame;
  }

  /** @internal storage frame for a read of logical (wrapped) address `a`, with fetch protection. */
  frameR(a: number): number {
    const page = a >>> 12;
    const slot = page & TLB_MASK;
    const frame = this.tlbPageR[slot] === page ? this.tlbFrameR[slot]! : this.fillTlb(a, Access.Read);
    if (this._key !== 0) {
      const k = this.storage.keys[frame]!;
      if ((k & KEY_FETCH) !== 0 && k >>> 4 !== this._key) this.protectionException(a);
    }
    return frame;
  }

  /** @internal storage frame for a store to logical (wrapped) address `a`, with low-address and key protection. */
  frameW(a: number): number {
    if (a < 512 && (this.cr[0]! & CR0_LOW_ADDRESS_PROTECTION) !== 0) this.protectionException(a);
    const page = a >>> 12;
    const slot = page & TLB_MASK;
    const frame = this.tlbPageW[slot] === page ? this.tlbFrameW[slot]! : this.fillTlb(a, Access.Write);
    if (this._key !== 0 && this.storage.keys[frame]! >>> 4 !== this._key) this.protectionException(a);
    return frame;
  }

  /**
   * Check that `length` bytes (1-4096... any length) at logical `address` can
   * be accessed, raising the access exception the first failing byte would
   * raise, without storing anything. SS instructions call this for every
   * operand before they store, so an exception on any byte prevents all
   * stores (POP "Storage-Operand Consistency").
   */
  checkRange(address: number, length: number, access: Access): void {
    if (length <= 0) return;
    let a = address & this.amask;
    let left = length;
    for (;;) {
      if (access === Access.Write) this.frameW(a);
      else this.frameR(a);
      const inPage = 0x1000 - (a & 0xfff);
      if (left <= inPage) return;
      left -= inPage;
      a = (a + inPage) & this.amask;
      // Low-address protection applies byte by byte; the page check above covers the first byte of each page only.
      if (access === Access.Write && a < 512 && (this.cr[0]! & CR0_LOW_ADDRESS_PROTECTION) !== 0) {
        this.protectionException(a);
      }
    }
  }

  /** Fetch one byte at a logical address. */
  read8(address: number): number {
    const a = address & this.amask;
    return this.storage.frameForRead(this.frameR(a))[a & 0xfff]!;
  }

  /** Fetch a halfword (unsigned) at a logical address; any alignment. */
  read16(address: number): number {
    const a = address & this.amask;
    const o = a & 0xfff;
    if (o <= 0xffe) {
      const f = this.storage.frameForRead(this.frameR(a));
      return (f[o]! << 8) | f[o + 1]!;
    }
    return (this.read8(a) << 8) | this.read8(a + 1);
  }

  /** Fetch a word (signed int32) at a logical address; any alignment. */
  read32(address: number): number {
    const a = address & this.amask;
    const o = a & 0xfff;
    if (o <= 0xffc) {
      const f = this.storage.frameForRead(this.frameR(a));
      return (f[o]! << 24) | (f[o + 1]! << 16) | (f[o + 2]! << 8) | f[o + 3]!;
    }
    this.checkRange(a, 4, Access.Read);
    return (this.read8(a) << 24) | (this.read8(a + 1) << 16) | (this.read8(a + 2) << 8) | this.read8(a + 3);
  }

  /** Store one byte at a logical address. */
  write8(address: number, value: number): void {
    const a = address & this.amask;
    this.storage.frameForWrite(this.frameW(a))[a & 0xfff] = value;
  }

  /** Store a halfword at a logical address; both bytes are checked before either is stored. */
  write16(address: number, value: number): void {
    const a = address & this.amask;
    const o = a & 0xfff;
    if (o <= 0xffe) {
      const f = this.storage.frameForWrite(this.frameW(a));
      f[o] = value >>> 8;
      f[o + 1] = value;
      return;
    }
    this.checkRange(a, 2, Access.Write);
    this.write8(a, value >>> 8);
    this.write8(a + 1, value);
  }

  /** Store a word at a logical address; all four bytes are checked before any is stored. */
  write32(address: number, value: number): void {
    const a = address & this.amask;
    const o = a & 0xfff;
    if (o <= 0xffc) {
      const f = this.storage.frameForWrite(this.frameW(a));
      f[o] = value >>> 24;
      f[o + 1] = value >>> 16;
      f[o + 2] = value >>> 8;
      f[o + 3] = value;
      return;
    }
    this.checkRange(a, 4, Access.Write);
    this.write8(a, value >>> 24);
    this.write8(a + 1, value >>> 16);
    this.write8(a + 2, value >>> 8);
    this.write8(a + 3, value);
  }

  /** Fetch `length` bytes at a logical address into `target[offset...]` (checked as a whole first). */
  readBytes(address: number, target: Uint8Array, offset = 0, length = target.length - offset): void {
    this.checkRange(address, length, Access.Read);
    let a = address & this.amask;
    let at = offset;
    let left = length;
    while (left > 0) {
      const o = a & 0xfff;
      const n = Math.min(left, 0x1000 - o);
      const f = this.storage.frameForRead(this.frameR(a));
      for (let i = 0; i < n; i++) target[at + i] = f[o + i]!;
      at += n;
      left -= n;
      a = (a + n) & this.amask;
    }
  }

  /** Store `data` at a logical address (checked as a whole first, so an exception stores nothing). */
  writeBytes(address: number, data: Uint8Array): void {
    this.checkRange(address, data.length, Access.Write);
    let a = address & this.amask;
    let at = 0;
    let left = data.length;
    while (left > 0) {
      const o = a & 0xfff;
      const n = Math.min(left, 0x1000 - o);
      const f = this.storage.frameForWrite(this.frameW(a));
      for (let i = 0; i < n; i++) f[o + i] = data[at + i]!;
      at += n;
      left -= n;
      a = (a + n) & this.amask;
    }
  }

  /** Fetch a word at a *real* address (prefix area, table entries): no DAT, no key protection. */
  readReal32(real: number): number {
    const s = this.absoluteToStorage(this.realToAbsolute(real), Access.Read);
    return this.storage.read32(s as never);
  }

  /** Store a word at a *real* address (interruption old PSWs and codes): no DAT, no key or low-address protection. */
  writeReal32(real: number, value: number): void {
    const s = this.absoluteToStorage(this.realToAbsolute(real), Access.Write);
    this.storage.write32(s as never, value);
  }

  /** Fetch a byte at a real address. */
  readReal8(real: number): number {
    return this.storage.read8(this.absoluteToStorage(this.realToAbsolute(real), Access.Read) as never);
  }

  /** Store a byte at a real address. */
  writeReal8(real: number, value: number): void {
    this.storage.write8(this.absoluteToStorage(this.realToAbsolute(real), Access.Write) as never, value);
  }

  /** Fetch a halfword at a real address. */
  readReal16(real: number): number {
    return this.storage.read16(this.absoluteToStorage(this.realToAbsolute(real), Access.Read) as never);
  }

  /** Store a halfword at a real address. */
  writeReal16(real: number, value: number): void {
    this.storage.write16(this.absoluteToStorage(this.realToAbsolute(real), Access.Write) as never, value);
  }

  /**
   * @internal Instruction fetch at `ia` when the fetch cache misses or the
   * instruction may cross a page: returns the byte array holding the
   * instruction and sets `fetchOffset`.
   */
  fetchInstruction(ia: number): Uint8Array {
    this.fetching = true;
    if ((ia & 1) !== 0) this.programCheck(PGM.SPECIFICATION);
    const frame = this.fetchFrame(ia);
    const f = this.storage.frameForRead(frame);
    const o = ia & 0xfff;
    if (this.storage.frameAt(frame) !== undefined) {
      if (this.blockCompilation) {
        let cache = this.codeCache;
        if (cache === null || cache.storage !== this.storage) {
          cache = codeCacheOf(this.storage);
          this.codeCache = cache;
        }
        this.codePage = codePageOf(cache, frame, f);
      } else this.codePage = null;
      this.ipPage = ia >>> 12;
      this.ipFrame = f;
    }
    const len = ILEN[f[o]! >>> 6]!;
    if (o + len <= 0x1000) {
      this.fetching = false;
      this.fetchOffset = o;
      return f;
    }
    const buf = this.ibuf;
    const first = 0x1000 - o;
    for (let i = 0; i < first; i++) buf[i] = f[o + i]!;
    const next = (ia + first) & this.amask;
    const f2 = this.storage.frameForRead(this.fetchFrame(next));
    for (let i = first; i < len; i++) buf[i] = f2[i - first]!;
    this.fetching = false;
    this.fetchOffset = 0;
    return buf;
  }

  /** Storage frame of an instruction fetch, with fetch protection. */
  private fetchFrame(a: number): number {
    const frame = this.fillTlb(a, Access.Fetch);
    if (this._key !== 0) {
      const k = this.storage.keys[frame]!;
      if ((k & KEY_FETCH) !== 0 && k >>> 4 !== this._key) this.protectionException(a);
    }
    return frame;
  }

  /**
   * @internal Fetch the target of EXECUTE at logical `a` into exbuf (POP
   * "EXECUTE": the target is fetched as an instruction).
   */
  fetchExecuteTarget(a: number): void {
    if ((a & 1) !== 0) this.programCheck(PGM.SPECIFICATION);
    const buf = this.exbuf;
    let p = a;
    let f = this.storage.frameForRead(this.fetchFrame(p));
    buf[0] = f[p & 0xfff]!;
    const len = ILEN[buf[0]! >>> 6]!;
    for (let i = 1; i < len; i++) {
      p = (p + 1) & this.amask;
      if ((p & 0xfff) === 0) f = this.storage.frameForRead(this.fetchFrame(p));
      buf[i] = f[p & 0xfff]!;
    }
  }

  // ------------------------------------------------------------ run loop

  /**
   * Run until an exit: `budget` instructions executed and interruptions
   * taken together (the operator's restart excepted), a wait or stopped
   * state, an interception, a breakpoint or check-stop. It always returns,
   * whatever the guest does: a loop of program interruptions uses up the
   * budget like instructions do.
   */
  run(budget: number): Exit {
    // The budget counts instructions and interruptions together: `end` is in
    // instructions (what the interpreter and compiled blocks compare), and each
    // interruption taken since the start moves it one earlier. Interruptions
    // taken inside one interpret() call (at most MAX_CHAIN per boundary, each
    // followed by an instruction or a fetch exception that returns here) are
    // charged on the next pass, so run() ends within a small constant of it.
    const end0 = this.instructions + budget;
    const taken0 = this.interruptionCount;
    for (;;) {
      const end = end0 - (this.interruptionCount - taken0);
      // Checked before the boundary too: delivering an interruption there may
      // itself raise a program check (an invalid new PSW) at every pass.
      if (this.instructions >= end && this.interruptionCount !== taken0) return EXIT_BUDGET;
      try {
        const pre = this.boundary();
        if (pre !== null) return pre;
        if (this.instructions >= end) return EXIT_BUDGET;
        const x = this.trace === null && this.breakpoints.size === 0 ? interpret(this, end) : this.interpretSlow(end);
        if (x !== EXIT_REBUDGET) return x;
      } catch (e) {
        if (e !== ABORT) throw e;
        this.execFlag = false;
        if (this.activeBlock !== null) {
          this.ilc = chargePartialBlock(this, this.activeBlock);
          this.activeBlock = null;
        }
        const exit = this.abort();
        if (exit !== null) return exit;
      }
    }
  }

  /** Execute one instruction (or deliver pending interruptions); null means the CPU can continue. */
  step(): Exit | null {
    const exit = this.run(1);
    return exit.reason === 'budget' ? null : exit;
  }

  /**
   * The restart function (operator's restart key, POP "Restart
   * Interruption"): a stopped CPU is started and takes a restart interruption
   * (old PSW at real X'8', new PSW from real 0) at the next boundary.
   */
  restart(): void {
    restartCpu(this);
  }

  /**
   * @internal The checks at an instruction boundary that are not per
   * instruction in the hot loop: state, pending interruptions, wait.
   */
  boundary(): Exit | null {
    if (this.state !== 'operating') {
      return this.state === 'stopped' ? EXIT_STOPPED : { reason: 'check-stop', why: this.checkStopReason };
    }
    if (this.pending !== 0 || this.cycles >= this.timerDeadline) {
      const x = this.deliver();
      if (x !== null) return x;
      if (this.state !== 'operating') return this.boundary();
    }
    if ((this.flags & PSW_WAIT) !== 0) {
      return (this._sysmask & (PSW_IO | PSW_EXT)) !== 0 ? EXIT_WAIT_ENABLED : EXIT_WAIT_DISABLED;
    }
    return null;
  }

  /** @internal Interruption delivery by the system side (system/interrupts.ts). */
  deliver(): Exit | null {
    return deliverInterruptions(this);
  }

  private interpretSlow(end: number): Exit {
    let first = true;
    for (;;) {
      if (this.instructions >= end) return EXIT_BUDGET;
      const ia = this.ia;
      if (!first && this.breakpoints.has(ia)) return { reason: 'breakpoint', address: ia };
      first = false;
      const exit = interpret(this, this.instructions + 1, this.trace);
      if (exit !== EXIT_BUDGET) return exit;
    }
  }

  /** Turn the pending abort into a program interruption, interception or check-stop. */
  private abort(): Exit | null {
    if (this.abortKind === ABORT_CHECK_STOP) {
      this.state = 'check-stop';
      return { reason: 'check-stop', why: this.checkStopReason };
    }
    const code = this.abortCode;
    const fetching = this.fetching;
    this.fetching = false;
    let ilc = this.ilc;
    let oldIa: number;
    if (fetching) {
      // Hercules 3.13 on an instruction-fetch exception: a nullifying one leaves
      // the PSW at the instruction; otherwise it reports ILC 2 (1 for the odd-address
      // specification exception) and advances the address by 4.
      ilc = code === PGM.SPECIFICATION ? 1 : 2;
      oldIa = isNullifying(code) ? this.ia : (this.ia + 4) & this.amask;
    } else {
      oldIa = isNullifying(code) ? this.instAddress : (this.instAddress + 2 * ilc) & this.amask;
    }
    if (this.abortKind === ABORT_HOST_TRANSLATION || this.policy.program(code)) {
      const completed = !fetching && isCompleting(code);
      this.ia = completed ? oldIa : fetching ? this.ia : this.instAddress;
      return {
        reason: 'interception',
        kind: this.abortKind === ABORT_HOST_TRANSLATION ? 'host-translation' : 'program',
        code,
        opcode: fetching ? 0 : this.opcodeAt(this.instAddress),
        length: fetching ? 0 : 2 * ilc,
        completed,
      };
    }
    let hi: number;
    let lo: number;
    if (this.invalidPsw) {
      hi = this.invalidPswHi;
      lo = this.invalidPswLo;
      ilc = 0;
      this.invalidPsw = false;
    } else {
      this.ia = oldIa;
      [hi, lo] = this.getPsw();
    }
    this.cycles += this.costModel.events['program-interruption'].cycles;
    this.interruptionCount++;
    try {
      this.writeReal32(PGM_OLD_PSW, hi);
      this.writeReal32(PGM_OLD_PSW + 4, lo);
      this.writeReal32(PGM_INT_ID, ((ilc << 1) << 16) | (code & 0xffff));
      // The TEA goes with translation exceptions, with protection exceptions (suppression on
      // protection) and with the space-switch event (X'1C'), which identifies the ASN there.
      if (isNullifying(code) || code === PGM.PROTECTION || code === 0x1c) this.writeReal32(TEA, this.tea);
      const nh = this.readReal32(PGM_NEW_PSW);
      const nl = this.readReal32(PGM_NEW_PSW + 4);
      if (!this.setPsw(nh, nl)) {
        // An invalid program new PSW would raise a specification exception that loads it again.
        this.invalidPsw = false;
        this.state = 'check-stop';
        this.checkStopReason = 'program interruption loop: invalid program new PSW';
        return { reason: 'check-stop', why: this.checkStopReason };
      }
      // The new PSW's masks may enable an interruption that was pending while masked.
      refreshPending(this);
    } catch (e) {
      if (e !== ABORT) throw e;
      this.state = 'check-stop';
      this.checkStopReason = 'prefix area not addressable during a program interruption';
      return { reason: 'check-stop', why: this.checkStopReason };
    }
    return null;
  }

  /** Opcode key of the instruction at a logical address, for interception exits (0 if not fetchable). */
  private opcodeAt(address: number): number {
    try {
      const b0 = this.read8(address);
      const b1 = this.read8(address + 1);
      if (b0 === 0xa7) return 0xa70 | (b1 & 0xf);
      if (b0 === 0xb2 || b0 === 0x01 || b0 === 0xe5) return (b0 << 8) | b1;
      return b0;
    } catch (e) {
      if (e !== ABORT) throw e;
      return 0;
    }
  }
}

