/**
 * The interpretive-execution facility: START INTERPRETIVE EXECUTION (B214)
 * for ESA/390 guests described by format-1 state descriptions (Osisek,
 * Jackson, Gum, "ESA/390 interpretive-execution architecture", IBM Systems
 * Journal 30(1), 1991; Hercules 3.13 `sie.c`; mainframe-facts.md §4).
 *
 * SIE runs a guest *in its own supervisor state* on a guest CPU until an
 * interception, then stores the guest back into the description and
 * completes; the host continues after the SIE instruction and reads the
 * interception code at SD+X'50':
 *
 * - the guest's storage is host storage relocated by the main-storage origin
 *   and extent (MSO/MSE, 64 KB units); with DAT on, the guest's own segment
 *   and page tables are walked in that storage (two-level translation, no
 *   shadow tables);
 * - GR0-13 are the host CPU's registers during SIE; GR14-15, PSW, control
 *   registers, prefix, CPU timer, clock comparator and epoch difference
 *   travel in the description;
 * - the guest executes LPSW, SSM, LCTL, SPT, SCKC, SSKE, IPTE, PTLB, LRA …
 *   and takes its own program, SVC, clock-comparator and CPU-timer
 *   interruptions, unless the interception controls (IC0-IC3, the LCTL mask,
 *   the SVC controls) ask for them;
 * - some guest program exceptions always intercept (X'08'), whatever IC0
 *   says, as Hercules 3.13 does (mandatory interceptions): addressing (a
 *   reference past the guest's extent, MSE), specification, special
 *   operation, and protection unless the protection-interception control
 *   (EC2 X'20') is on; the host reflects them to the guest as any program
 *   interception;
 * - what only the host can do always intercepts (no assists are offered):
 *   DIAGNOSE, SIGP, the I/O instructions, SIE itself, SET CLOCK, STIDP;
 * - an external or I/O interruption the host holds for the guest (V byte)
 *   intercepts (X'10', X'18') as soon as the guest is enabled for it: at
 *   entry, or at the instruction boundary where the guest enables (LPSW,
 *   SSM, STOSM, an interruption's new PSW);
 * - an intercepted instruction (X'04') is stored as Hercules 3.13 stores it
 *   and KVM's hosts expect: IPA/IPB hold it, the interception status has
 *   X'80' (and X'01' when it was the target of an EXECUTE), and the guest
 *   PSW points past it (past the EX); a host that emulates it leaves the
 *   PSW alone, one that wants it executed again rewinds by
 *   `sieInstructionLength`.
 *
 * The guest CPU of each description is kept between entries, as the
 * hardware keeps a guest's TLB entries: its translations are dropped only
 * when the description's control registers, prefix or storage origin change
 * (or the host calls `forget`), so re-entering SIE after an interception
 * costs a few storage words, not a rebuilt CPU.
 */
import type { Clock } from '../../framework/clock';
import type { Exit, InterceptionPolicy } from '../../framework/exit';
import type { AbsoluteAddress } from '../../framework/addresses';
import type { SparseStorage, StoragePort } from '../../framework/storage';
import { Access, type Translator } from '../../framework/translator';
import { Esa390Cpu } from '../cpu';
import type { Esa390Dat, Esa390DatContext } from '../dat';
import { PSW_EXT, PSW_IO } from '../psw';
import { refreshPending, SIE_REQUEST } from '../system/interrupts';
import type { SieFacility } from '../system/sie';
import { attachSystem, type Esa390Configuration, type Esa390CpuSystem, systemOf } from '../system/state';
import { cpuTimerMicros, updateTimers } from '../system/timing';
import { microsToWords, signedWordsToMicros, unsignedWordsToMicros } from '../system/tod';
import { GuestAbsoluteStorage, GuestRelocation } from './guest-relocation';
import {
  SIE_EC,
  SIE_IC,
  SIE_ICPT,
  SIE_SD,
  SIE_SD_SIZE,
  SIE_STATUS,
  SIE_SVC,
  SIE_V,
  SIE_VALIDITY,
  sieInstructionLength,
  sieValidity,
} from './state-description';

/** Instructions the facility always intercepts: there is no I/O, SIGP or DIAGNOSE assist in this model. */
const ALWAYS = [
  'DIAG',
  'SIGP',
  'SIE',
  'SCK',
  'STIDP',
  'SSCH',
  'TSCH',
  'STSCH',
  'MSCH',
  'HSCH',
  'CSCH',
  'RSCH',
  'TPI',
];

/** IC bit (in the IC0-IC3 word) → the mnemonics it intercepts. */
const IC_BITS: readonly (readonly [number, readonly string[]])[] = [
  [SIE_IC.IC0_IPTE << 24, ['IPTE']],
  [SIE_IC.IC1_LPSW << 16, ['LPSW']],
  [SIE_IC.IC1_PTLB << 16, ['PTLB']],
  [SIE_IC.IC1_SSM << 16, ['SSM']],
  [SIE_IC.IC1_STCTL << 16, ['STCTL']],
  [SIE_IC.IC1_STOSM << 16, ['STOSM']],
  [SIE_IC.IC1_STNSM << 16, ['STNSM']],
  [SIE_IC.IC2_STCK << 8, ['STCK']],
  [SIE_IC.IC2_ISKE << 8, ['ISKE', 'ISK']],
  [SIE_IC.IC2_SSKE << 8, ['SSKE', 'SSK']],
  [SIE_IC.IC2_RRBE << 8, ['RRBE']],
  [SIE_IC.IC3_SPT, ['SPT', 'STPT']],
  [SIE_IC.IC3_SCKC, ['SCKC', 'STCKC']],
];

const PGM_SPECIFICATION = 0x06;
const PGM_PROTECTION = 0x04;
const PGM_ADDRESSING = 0x05;
const PGM_SPECIAL_OPERATION = 0x13;
const PGM_SPACE_SWITCH = 0x1c;

/** Big-endian fields of the description, read and written in its frame. */
const get16 = (f: Uint8Array, o: number): number => (f[o]! << 8) | f[o + 1]!;
const get32 = (f: Uint8Array, o: number): number =>
  (f[o]! << 24) | (f[o + 1]! << 16) | (f[o + 2]! << 8) | f[o + 3]!;
const put32 = (f: Uint8Array, o: number, v: number): void => {
  f[o] = v >>> 24;
  f[o + 1] = v >>> 16;
  f[o + 2] = v >>> 8;
  f[o + 3] = v;
};

/** Counter keys by interception code, made once so that counting an interception allocates nothing. */
const CODE_KEYS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The interception policy a description's controls describe (rebuilt only when they change). */
class SiePolicy implements InterceptionPolicy {
  readonly name = 'sie';
  private ic = -1;
  private lctl = -1;
  private svcControls = 0;
  /** The protection-interception control (EC2 X'20') is on: the guest takes its own protection exceptions. */
  private protectionToGuest = false;
  private intercepted = new Set<string>(ALWAYS);
  /** Program interruptions the guest took itself in this entry, and how many the host lets it take (see `programLoopLimit`). */
  programs = 0;
  programLimit = Number.POSITIVE_INFINITY;

  load(ic: number, svcControls: number, lctlMask: number, ec: number): void {
    this.svcControls = svcControls;
    this.protectionToGuest = ((ec >>> 8) & SIE_EC.EC2_PROTECTION) !== 0;
    if (ic === this.ic && lctlMask === this.lctl) return;
    this.ic = ic;
    this.lctl = lctlMask;
    const set = new Set<string>(ALWAYS);
    for (const [bit, names] of IC_BITS) if ((ic & bit) !== 0) for (const n of names) set.add(n);
    // The mask names control registers; an LCTL is intercepted when it loads any of them (POP SIE: LCTL interception).
    if (lctlMask !== 0) set.add('LCTL');
    this.intercepted = set;
  }

  program(code: number): boolean {
    // Mandatory interceptions, whatever IC0 says (Hercules 3.13 cpu.c, program_interrupt: "Interception is
    // mandatory for the following exceptions", after SA22-7095): addressing (the guest's storage is the host's to
    // define, MSO/MSE), specification and special-operation (the host may model a different machine than the
    // one running the guest), and protection unless the protection-interception control hands it to the guest
    // (the host may be protecting the guest's pages for its own reasons). The host reflects each to the guest if
    // it wants the guest to see it.
    if (code === PGM_ADDRESSING || code === PGM_SPECIFICATION || code === PGM_SPECIAL_OPERATION) return true;
    if (code === PGM_PROTECTION && !this.protectionToGuest) return true;
    if (++this.programs > this.programLimit) return true;
    const ic0 = this.ic >>> 24;
    if ((ic0 & SIE_IC.IC0_ALL_PROGRAM) !== 0) return true;
    if (code === 0x01 && (ic0 & SIE_IC.IC0_OPERATION) !== 0) return true;
    return code === 0x02 && (ic0 & SIE_IC.IC0_PRIVILEGED_OPERATION) !== 0;
  }

  svc(n: number): boolean {
    const c = this.svcControls;
    const flags = c >>> 24;
    if ((flags & SIE_SVC.ALL) !== 0) return true;
    if ((flags & SIE_SVC.FIRST) !== 0 && ((c >>> 16) & 0xff) === n) return true;
    if ((flags & SIE_SVC.SECOND) !== 0 && ((c >>> 8) & 0xff) === n) return true;
    return (flags & SIE_SVC.THIRD) !== 0 && (c & 0xff) === n;
  }

  instruction(mnemonic: string): boolean {
    return this.intercepted.has(mnemonic);
  }
}

/** What the facility keeps for one state description between entries. */
interface Guest {
  readonly cpu: Esa390Cpu;
  readonly sys: Esa390CpuSystem;
  readonly policy: SiePolicy;
  readonly configuration: Esa390Configuration;
  readonly mso: number;
  readonly mse: number;
  readonly outer: Translator | null;
  readonly cpuAddress: number;
  /** The control registers as the description held them at the last entry: only those the guest changed are stored back. */
  readonly sdCr: Int32Array;
}

/** Counters of the facility. */
export interface SieCounters {
  /** SIE instructions executed. */
  entries: number;
  /** Exits by interception code, keyed by the code as two hex digits ('04', '1c', '00' for an ended slice). */
  readonly byCode: Record<string, number>;
}

/** Options of the interpretive-execution facility. */
export interface InterpretiveExecutionOptions {
  /**
   * The time guests' TOD clocks and timers run on. Default: the local time
   * of the host CPU that issues SIE (right for a host program on an isa-core
   * machine); a host written in TypeScript that keeps its own time passes
   * its clock.
   */
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * The guest's DAT port: called once per guest CPU with that CPU's context
   * and the guest's absolute storage (relocated by MSO/MSE), e.g.
   * `(context, storage) => createEsa390Dat({ storage, context })` from
   * @strachey/mmu. Without one a guest that turns DAT on check-stops, which
   * ends SIE with a validity interception.
   */
  readonly dat?: (context: Esa390DatContext, storage: StoragePort) => Esa390Dat;
  /** Guest instructions (and interruptions) per entry before SIE ends as a host interruption would end it (code X'00'). Default 20,000. */
  readonly budget?: number;
  /**
   * Not architecture but a host's safeguard: after this many program
   * interruptions the guest took itself within one entry, the next one is
   * intercepted (code X'08') instead, so a host sees a guest caught in a
   * program-interruption loop (a program new PSW that faults again) rather
   * than only slices that complete no instruction. Default: never.
   */
  readonly programLoopLimit?: number;
}

/**
 * SIE as a `SieFacility` (give it to `createEsa390Machine({ sie })`, or call
 * `start(hostCpu, sd)` from a host written in TypeScript); see the file
 * comment for what it interprets and what it intercepts.
 */
export class InterpretiveExecution implements SieFacility {
  /** Guest instructions per entry before SIE ends with interception code X'00'. */
  budget: number;
  /** Guest instructions and cycles of the last entry. */
  lastInstructions = 0;
  lastCycles = 0;
  readonly counters: SieCounters = { entries: 0, byCode: {} };
  private readonly clock: Pick<Clock, 'now'> | null;
  private readonly dat: ((context: Esa390DatContext, storage: StoragePort) => Esa390Dat) | null;
  /** Guest CPUs by the host absolute address of their state description. */
  private readonly guests = new Map<number, Guest>();
  /** Guest configurations by storage origin and extent: the CPUs of one guest see each other's IPTE. */
  private readonly configurations = new Map<
    number,
    { readonly outer: Translator | null; readonly configuration: Esa390Configuration }
  >();
  private readonly words = new Uint32Array(2);
  /** The description's bytes when it crosses a frame boundary (read, changed, written back). */
  private readonly copy = new Uint8Array(SIE_SD_SIZE);
  /** Interruption identification and TEA of a program interception, on their way to SD+X'CC' and X'D0'. */
  private programId = 0;
  private programTea = 0;
  private readonly programLoopLimit: number;
  /** The host CPU of the last entry and its system state (looked up once per host, not per entry). */
  private host: Esa390Cpu | null = null;
  private hostSys: Esa390CpuSystem | null = null;

  constructor(options: InterpretiveExecutionOptions = {}) {
    this.clock = options.clock ?? null;
    this.dat = options.dat ?? null;
    this.budget = options.budget ?? 20_000;
    this.programLoopLimit = options.programLoopLimit ?? Number.POSITIVE_INFINITY;
  }

  /** The guest CPU that runs the state description at host absolute address `sd` (for inspection and tests). */
  guestCpu(sd: number): Esa390Cpu | undefined {
    return this.guests.get(sd)?.cpu;
  }

  /**
   * The state description at host absolute address `sd` will describe a
   * different guest from now on (a new virtual machine in the same place):
   * drop the guest CPU kept for it and its translations.
   */
  /**
   * Build the guest CPU for a state description at host absolute address
   * `sd` now (for a guest with origin `mso`, extent `mse` in 64 KB units
   * and CPU address `cpuAddress`, run by `host`), replacing any kept for it,
   * so that the first SIE does not pay for it: a host calls this when it
   * creates a guest. SIE still checks and loads everything from the
   * description; a description whose origin, extent or CPU address then
   * differ gets a new guest CPU as it would without this call.
   */
  prepare(host: Esa390Cpu, sd: number, mso: number, mse: number, cpuAddress: number): void {
    this.forget(sd);
    this.guestFor(host, sd, mso, mse, cpuAddress);
  }

  forget(sd: number): void {
    const guest = this.guests.get(sd);
    if (guest === undefined) return;
    this.leave(guest);
    this.guests.delete(sd);
  }

  /**
   * Execute SIE on `host` with the state description at real address
   * `sdReal`: validity checks, guest run, interception code and guest state
   * stored back. Returns null (the host continues after SIE); a description
   * not on a doubleword is the host's specification exception, one outside
   * its storage its addressing exception.
   */
  start(host: Esa390Cpu, sdReal: number): Exit | null {
    if ((sdReal & 7) !== 0) host.programCheck(PGM_SPECIFICATION);
    const sdAbs = host.realToAbsolute(sdReal);
    const s = host.absoluteToStorage(sdAbs, Access.Write);
    // The description is read in place: it must be contiguous in host storage. Within one 4 KB page it is
    // (prefixing and the host's relocation move whole pages); one that crosses a page is checked at its end.
    if (
      (sdReal & 0xfff) > 0x1000 - SIE_SD_SIZE &&
      host.absoluteToStorage(host.realToAbsolute(sdReal + SIE_SD_SIZE - 1), Access.Write) !==
        s + SIE_SD_SIZE - 1
    ) {
      host.programCheck(PGM_ADDRESSING);
    }
    const st = host.storage;
    // The description's bytes: its frame, indexed directly (one storage call, not one per field), or a copy when it crosses a frame.
    let f: Uint8Array;
    let o: number;
    if ((s & 0xfff) <= 0x1000 - SIE_SD_SIZE) {
      f = st.frameForWrite(s >>> 12);
      o = s & 0xfff;
    } else {
      f = this.copy;
      o = 0;
      st.readInto(s as AbsoluteAddress, f);
    }
    this.counters.entries++;
    this.lastInstructions = 0;
    this.lastCycles = 0;
    host.cycles += host.costModel.events['sie-entry'].cycles + host.costModel.events['sie-exit'].cycles;
    const prefix = get32(f, o + SIE_SD.PREFIX) >>> 0;
    const mso = get16(f, o + SIE_SD.MSO);
    const mse = get16(f, o + SIE_SD.MSE);
    const reason = sieValidity(f[o + SIE_SD.M]!, prefix, mso, mse, sdAbs);
    if (reason !== 0) return this.finish(st, s, f, o, SIE_ICPT.VALIDITY, 0, (reason << 16) >>> 0);

    const guest = this.guestFor(host, sdAbs, mso, mse, get16(f, o + SIE_SD.CPU_ADDRESS));
    const cpu = guest.cpu;
    const sys = guest.sys;
    guest.policy.load(
      get32(f, o + SIE_SD.IC) >>> 0,
      get32(f, o + SIE_SD.SVC_CONTROLS) >>> 0,
      get16(f, o + SIE_SD.LCTL_MASK),
      get32(f, o + SIE_SD.EC) >>> 0,
    );
    guest.policy.programs = 0;

    // Registers: GR0-13 are the host's during SIE, GR14-15 travel in the description.
    const g = cpu.gpr;
    const hg = host.gpr;
    for (let i = 0; i < 14; i++) g[i] = hg[i]!;
    g[14] = get32(f, o + SIE_SD.GR14);
    g[15] = get32(f, o + SIE_SD.GR15);
    // Translations survive the entry unless what they were formed from changed.
    let stale = false;
    const cr = cpu.cr;
    const sdCr = guest.sdCr;
    for (let i = 0; i < 16; i++) {
      const v = get32(f, o + SIE_SD.CR + 4 * i);
      sdCr[i] = v;
      if (cr[i] !== v) {
        cr[i] = v;
        if (i === 0 || i === 1 || i === 7 || i === 13) stale = true;
      }
    }
    const p = prefix & 0x7ffff000;
    if (cpu.prefix !== p) {
      cpu.prefix = p;
      stale = true;
    }
    if (stale) cpu.flushTlb();
    if (!cpu.loadPsw(get32(f, o + SIE_SD.PSW) >>> 0, get32(f, o + SIE_SD.PSW + 4) >>> 0)) {
      return this.finish(st, s, f, o, SIE_ICPT.VALIDITY, 0, (SIE_VALIDITY.INVALID_MODE << 16) >>> 0);
    }

    // Timing: the guest's local time is the host's; its TOD clock is the host's plus the epoch difference.
    if (host !== this.host) {
      this.host = host;
      this.hostSys = systemOf(host);
    }
    const hostSys = this.hostSys!;
    const now = this.clock === null ? host.cycles + hostSys.skew : this.clock.now();
    sys.skew = now - cpu.cycles;
    guest.configuration.todOffset =
      hostSys.configuration.todOffset +
      signedWordsToMicros(get32(f, o + SIE_SD.EPOCH) >>> 0, get32(f, o + SIE_SD.EPOCH + 4) >>> 0);
    sys.timerValue = signedWordsToMicros(
      get32(f, o + SIE_SD.CPU_TIMER) >>> 0,
      get32(f, o + SIE_SD.CPU_TIMER + 4) >>> 0,
    );
    sys.timerSetAt = now;
    const ckcHigh = get32(f, o + SIE_SD.CLOCK_COMPARATOR) >>> 0;
    const ckcLow = get32(f, o + SIE_SD.CLOCK_COMPARATOR + 4) >>> 0;
    if (ckcHigh !== sys.ckcWords[0] || ckcLow !== sys.ckcWords[1]) {
      sys.ckcWords[0] = ckcHigh;
      sys.ckcWords[1] = ckcLow;
      sys.ckc = unsignedWordsToMicros(ckcHigh, ckcLow);
    }
    cpu.state = 'operating';
    updateTimers(cpu, sys);
    // Interruption requests the host holds for the guest: pending on the guest CPU, so that a guest that
    // enables for one while it runs is intercepted at that boundary (system/interrupts.ts).
    const v = f[o + SIE_SD.V]!;
    sys.raw =
      (sys.raw & ~(SIE_REQUEST.EXTERNAL | SIE_REQUEST.IO)) |
      ((v & SIE_V.EXTERNAL_PENDING) !== 0 ? SIE_REQUEST.EXTERNAL : 0) |
      ((v & SIE_V.IO_PENDING) !== 0 ? SIE_REQUEST.IO : 0);
    refreshPending(cpu, sys);

    // Intervention requests: a stop, or an interruption the host holds for the guest and the guest is enabled for.
    if ((v & SIE_V.STOP) !== 0) return this.storeBack(host, guest, st, s, SIE_ICPT.STOP, 0, 0);
    const sm = cpu.sysmask;
    if ((v & SIE_V.EXTERNAL_PENDING) !== 0 && (sm & PSW_EXT) !== 0)
      return this.storeBack(host, guest, st, s, SIE_ICPT.EXTERNAL_REQUEST, 0, 0);
    if ((v & SIE_V.IO_PENDING) !== 0 && (sm & PSW_IO) !== 0)
      return this.storeBack(host, guest, st, s, SIE_ICPT.IO_REQUEST, 0, 0);

    const cycles = cpu.cycles;
    const instructions = cpu.instructions;
    const exit = cpu.run(this.budget);
    this.lastCycles = cpu.cycles - cycles;
    this.lastInstructions = cpu.instructions - instructions;
    host.cycles += this.lastCycles;
    switch (exit.reason) {
      case 'interception':
        if (exit.kind === 'interruption') {
          // The guest enabled for an interruption the host requested (exit.code is X'10' or X'18').
          return this.storeBack(host, guest, st, s, exit.code, 0, 0);
        }
        if (exit.kind === 'instruction' || exit.kind === 'svc') {
          // IPA/IPB are read at the instruction; then the PSW moves past it (past the EXECUTE for a target of EX), as
          // Hercules and the hardware store it: a host that emulates leaves it there, one that must retry rewinds by the ILC.
          const executed = this.executed(cpu);
          const ipa = this.ipa(cpu, executed);
          const ipb = this.ipb(cpu, executed);
          cpu.ia = (cpu.ia + exit.length) & cpu.amask;
          return this.storeBack(
            host,
            guest,
            st,
            s,
            SIE_ICPT.INSTRUCTION,
            ipa,
            ipb,
            executed ? SIE_STATUS.FORMAT_2 | SIE_STATUS.EXECUTE : SIE_STATUS.FORMAT_2,
          );
        }
        return this.programInterception(
          host,
          guest,
          st,
          s,
          exit.kind === 'host-translation' ? PGM_ADDRESSING : exit.code,
          exit.length,
          exit.completed,
        );
      case 'wait':
        return this.storeBack(host, guest, st, s, SIE_ICPT.WAIT, 0, 0);
      case 'stopped':
        return this.storeBack(host, guest, st, s, SIE_ICPT.STOP, 0, 0);
      case 'check-stop':
        return this.storeBack(
          host,
          guest,
          st,
          s,
          SIE_ICPT.VALIDITY,
          0,
          (SIE_VALIDITY.GUEST_CHECK_STOP << 16) >>> 0,
        );
      default:
        return this.storeBack(host, guest, st, s, SIE_ICPT.NONE, 0, 0);
    }
  }

  /**
   * A program interruption the controls intercept: the guest PSW is stored
   * as the program old PSW would be (past the instruction unless the
   * exception nullifies), the ILC and code at SD+X'CC' and the TEA at
   * SD+X'D0' as the prefix area would hold them, so the host reflects it by
   * a PSW swap.
   */
  private programInterception(
    host: Esa390Cpu,
    guest: Guest,
    st: SparseStorage,
    s: number,
    code: number,
    length: number,
    completed: boolean,
  ): null {
    const cpu = guest.cpu;
    const nullifying = code === 0x10 || code === 0x11;
    let ilc: number;
    if (cpu.invalidPsw) {
      // An early exception for the PSW an LPSW (or SSM/STOSM) just loaded: the guest PSW is that PSW and the ILC 0,
      // as the program old PSW would be bare (storeBack stores it) and as Hercules 3.13 stores it.
      ilc = 0;
    } else if (length === 0) {
      // An instruction-fetch exception: the CPU's own convention (ILC 2, or 1 for an odd address; PSW + 4 unless nullified).
      ilc = code === PGM_SPECIFICATION ? 1 : 2;
      if (!nullifying) cpu.ia = (cpu.ia + 4) & cpu.amask;
    } else {
      ilc = length >>> 1;
      if (!completed && !nullifying) cpu.ia = (cpu.ia + length) & cpu.amask;
    }
    this.programId = ((ilc << 17) | (code & 0xffff)) >>> 0;
    const withTea = nullifying || code === PGM_PROTECTION || code === PGM_SPACE_SWITCH;
    this.programTea = withTea ? cpu.tea >>> 0 : 0;
    return this.storeBack(host, guest, st, s, SIE_ICPT.PROGRAM, 0, 0);
  }

  /** The intercepted instruction is the target of an EXECUTE at the PSW (its bytes, R1 already ORed in, are in `exbuf`). */
  private executed(cpu: Esa390Cpu): boolean {
    return this.halfword(cpu, cpu.ia) >>> 8 === 0x44 && cpu.exbuf[0] !== 0x44;
  }

  /** First halfword of the intercepted instruction (the PSW points at it; the EXECUTE's target when executed by EX). */
  private ipa(cpu: Esa390Cpu, executed: boolean): number {
    if (executed) return (cpu.exbuf[0]! << 8) | cpu.exbuf[1]!;
    return this.halfword(cpu, cpu.ia);
  }

  /** Bytes 2-5 of the intercepted instruction (zeros beyond its length, which its opcode gives). */
  private ipb(cpu: Esa390Cpu, executed: boolean): number {
    if (executed) {
      const b = cpu.exbuf;
      const length = sieInstructionLength(b[0]! << 8, 0);
      if (length < 4) return 0;
      return ((b[2]! << 24) | (b[3]! << 16) | (length >= 6 ? (b[4]! << 8) | b[5]! : 0)) >>> 0;
    }
    const length = sieInstructionLength(this.halfword(cpu, cpu.ia), 0);
    if (length < 4) return 0;
    return (
      ((this.halfword(cpu, cpu.ia + 2) << 16) | (length >= 6 ? this.halfword(cpu, cpu.ia + 4) : 0)) >>> 0
    );
  }

  /** A halfword of the instruction stream, from the page the CPU fetched it from. */
  private halfword(cpu: Esa390Cpu, address: number): number {
    const a = address & cpu.amask;
    if (a >>> 12 === cpu.ipPage && (a & 0xfff) <= 0xffe) {
      const f = cpu.ipFrame;
      return (f[a & 0xfff]! << 8) | f[(a & 0xfff) + 1]!;
    }
    return this.fetchHalfword(cpu, a);
  }

  /** The slow path: through the guest's translation; 0 if that faults (the instruction was fetched a moment ago, so it does not). */
  private fetchHalfword(cpu: Esa390Cpu, a: number): number {
    const st = cpu.storage;
    try {
      return st.read16(
        cpu.absoluteToStorage(cpu.logicalToAbsolute(a, Access.Fetch), Access.Read) as AbsoluteAddress,
      );
    } catch {
      // A translation fault raised through the CPU's own exception path: nothing to report here.
      return 0;
    }
  }

  /** Store the guest state back into the description (at host storage index `s`) and end SIE with `code`. */
  private storeBack(
    host: Esa390Cpu,
    guest: Guest,
    st: SparseStorage,
    s: number,
    code: number,
    ipa: number,
    ipb: number,
    status = 0,
  ): null {
    let f: Uint8Array;
    let o: number;
    if ((s & 0xfff) <= 0x1000 - SIE_SD_SIZE) {
      f = st.frameForWrite(s >>> 12);
      o = s & 0xfff;
    } else {
      f = this.copy;
      o = 0;
    }
    const cpu = guest.cpu;
    const g = cpu.gpr;
    const hg = host.gpr;
    for (let i = 0; i < 14; i++) hg[i] = g[i]!;
    put32(f, o + SIE_SD.GR14, g[14]!);
    put32(f, o + SIE_SD.GR15, g[15]!);
    if (cpu.invalidPsw) {
      // Only a program interception of an early PSW exception leaves the flag set (see programInterception).
      put32(f, o + SIE_SD.PSW, cpu.invalidPswHi);
      put32(f, o + SIE_SD.PSW + 4, cpu.invalidPswLo);
      cpu.invalidPsw = false;
    } else {
      const [hi, lo] = cpu.getPsw();
      put32(f, o + SIE_SD.PSW, hi);
      put32(f, o + SIE_SD.PSW + 4, lo);
    }
    const cr = cpu.cr;
    const sdCr = guest.sdCr;
    for (let i = 0; i < 16; i++) if (cr[i] !== sdCr[i]) put32(f, o + SIE_SD.CR + 4 * i, cr[i]!);
    put32(f, o + SIE_SD.PREFIX, cpu.prefix);
    const sys = guest.sys;
    const w = this.words;
    microsToWords(cpuTimerMicros(cpu, sys), w);
    put32(f, o + SIE_SD.CPU_TIMER, w[0]!);
    put32(f, o + SIE_SD.CPU_TIMER + 4, w[1]!);
    put32(f, o + SIE_SD.CLOCK_COMPARATOR, sys.ckcWords[0]!);
    put32(f, o + SIE_SD.CLOCK_COMPARATOR + 4, sys.ckcWords[1]!);
    if (code === SIE_ICPT.PROGRAM) {
      put32(f, o + SIE_SD.PROGRAM_INTERRUPTION_ID, this.programId);
      put32(f, o + SIE_SD.TRANSLATION_EXCEPTION_ID, this.programTea);
    }
    return this.finish(st, s, f, o, code, ipa, ipb, status);
  }

  /** Store the interception code and instruction parameters; a description that crosses a frame is written back from its copy. */
  private finish(
    st: SparseStorage,
    s: number,
    f: Uint8Array,
    o: number,
    code: number,
    ipa: number,
    ipb: number,
    status = 0,
  ): null {
    f[o + SIE_SD.INTERCEPTION_CODE] = code;
    f[o + SIE_SD.INTERCEPTION_STATUS] = status;
    f[o + SIE_SD.IPA] = ipa >>> 8;
    f[o + SIE_SD.IPA + 1] = ipa;
    put32(f, o + SIE_SD.IPB, ipb);
    if (f === this.copy) st.writeFrom(s as AbsoluteAddress, f);
    const key = CODE_KEYS[code]!;
    const byCode = this.counters.byCode;
    byCode[key] = (byCode[key] ?? 0) + 1;
    return null;
  }

  /** The guest CPU of a description, built when its origin, extent, CPU address or the host's own relocation changed. */
  private guestFor(host: Esa390Cpu, sdAbs: number, mso: number, mse: number, cpuAddress: number): Guest {
    const outer = host.hostLayer;
    const cached = this.guests.get(sdAbs);
    if (
      cached !== undefined &&
      cached.mso === mso &&
      cached.mse === mse &&
      cached.outer === outer &&
      cached.cpuAddress === cpuAddress
    )
      return cached;
    const relocation = new GuestRelocation(mso * 0x10000, (mse + 1) * 0x10000, outer);
    const policy = new SiePolicy();
    policy.programLimit = this.programLoopLimit;
    const cpu = new Esa390Cpu({
      id: cpuAddress,
      storage: host.storage,
      hostLayer: relocation,
      policy,
      costModel: host.costModel,
    });
    const configuration = this.configurationFor(host, mso, mse, outer);
    (configuration.cpus as Esa390Cpu[]).push(cpu);
    const sys = attachSystem(cpu, configuration);
    if (this.dat !== null) {
      const context: Esa390DatContext = {
        cr: cpu.cr,
        addressSpaceControl: () => cpu.asc,
        realToAbsolute: (real) => cpu.realToAbsolute(real),
      };
      cpu.dat = this.dat(context, new GuestAbsoluteStorage(host.storage, relocation));
    }
    if (cached !== undefined) this.leave(cached);
    const guest: Guest = {
      cpu,
      sys,
      policy,
      configuration,
      mso,
      mse,
      outer,
      cpuAddress,
      sdCr: new Int32Array(16),
    };
    this.guests.set(sdAbs, guest);
    return guest;
  }

  /** The configuration the guest CPUs of one guest storage share (IPTE reaches all of them). */
  private configurationFor(
    host: Esa390Cpu,
    mso: number,
    mse: number,
    outer: Translator | null,
  ): Esa390Configuration {
    const key = mso * 0x10000 + mse;
    const known = this.configurations.get(key);
    if (known !== undefined && known.outer === outer) return known.configuration;
    const hostConfiguration = systemOf(host).configuration;
    const configuration: Esa390Configuration = {
      cpus: [],
      io: null,
      sie: null,
      clock: null,
      todOffset: hostConfiguration.todOffset,
      lastTod: Number.NEGATIVE_INFINITY,
      cyclesPerMicrosecond: hostConfiguration.cyclesPerMicrosecond,
      cpuId: hostConfiguration.cpuId,
    };
    this.configurations.set(key, { outer, configuration });
    return configuration;
  }

  /** A guest CPU that is replaced leaves its configuration. */
  private leave(guest: Guest): void {
    const cpus = guest.configuration.cpus as Esa390Cpu[];
    const i = cpus.indexOf(guest.cpu);
    if (i >= 0) cpus.splice(i, 1);
  }
}
