/**
 * START INTERPRETIVE EXECUTION for ESA/390 guests, implemented on isa-core's
 * public CPU as an isa-core `SieFacility` (the hook SIE B214 calls).
 *
 * ADAPTER NOTE: the issue wants interpretive execution inside isa-core; its
 * CPU files belong to other engineers, so this is the prototype, written
 * against isa-core's exported API only, meant to move there. What it does is
 * what isa-core's own SIE must do (README "Next steps"):
 *
 * - fetch the 256-byte format-1 state description at the operand's real
 *   address, make the validity checks (interception X'20' with a reason);
 * - run the guest *in its own supervisor state* on a guest CPU whose host
 *   layer is the main-storage origin/extent (MSO/MSE, 64 KB units) and whose
 *   DAT walks the guest's tables through that origin (two-level
 *   translation: no shadow tables); GR0-13 are the host CPU's registers, GR14-15,
 *   PSW, CRs, prefix, CPU timer and clock comparator come from the description;
 * - let the guest take its own program interruptions, SVCs, clock-comparator
 *   and CPU-timer interruptions, execute LPSW, SSM, LCTL, SPT, SSKE, IPTE, LRA
 *   … itself, unless the interception controls (IC0-IC3, the LCTL mask, SVC
 *   controls) ask for them;
 * - always intercept what only the host can do: DIAGNOSE, SIGP, the I/O
 *   instructions (no I/O assist), SIE, SET CLOCK, STIDP;
 * - end with an interception code at SD+X'50' and the guest state stored
 *   back: X'04' instruction (IPA/IPB hold the instruction; the guest PSW points
 *   at it, the host emulates and advances it), X'08' program interruption
 *   (code at SD+X'CC' as in the prefix area), X'1C' wait state, X'10'/X'18'
 *   interruption requests (the V byte asks for them and the guest is
 *   enabled), X'28' stop, X'20' validity — or X'00' when the host's slice
 *   (`budget`, the stand-in for a host timer interruption) ran out.
 */
import {
  Access,
  type Clock,
  Esa390Cpu,
  type Esa390Dat,
  type Exit,
  type InterceptionPolicy,
  type SieFacility,
  type SparseStorage,
  type Translator,
  cpuTimerMicros,
  microsToWords,
  refreshPending,
  signedWordsToMicros,
  systemOf,
  unsignedWordsToMicros,
} from '@strachey/isa-core';
import { compose, createEsa390Dat, offsetTranslator, relocatedStorage } from '@strachey/mmu';
import {
  decodeStateDescription,
  encodeStateDescription,
  ICPT,
  SD_IC,
  SD_SIZE,
  SD_V,
  type StateDescription,
  VALIDITY,
  validityReason,
} from './state-description';

/** Instructions the host always intercepts (no I/O, SIGP or DIAGNOSE assists in this model). */
const ALWAYS = new Set(['DIAG', 'SIGP', 'SIE', 'SCK', 'STIDP', 'SSCH', 'TSCH', 'STSCH', 'MSCH', 'HSCH', 'CSCH', 'RSCH', 'TPI']);

/** Guest program interruptions per SIE entry before the next one is intercepted (see SiePolicy.programs). */
const PROGRAM_STORM = 4096;

/** IC bit → mnemonics it intercepts. */
const IC_BITS: readonly [number, readonly string[]][] = [
  [SD_IC.IC0_IPTE << 24, ['IPTE']],
  [SD_IC.IC1_LPSW << 16, ['LPSW']],
  [SD_IC.IC1_PTLB << 16, ['PTLB']],
  [SD_IC.IC1_SSM << 16, ['SSM']],
  [SD_IC.IC1_STCTL << 16, ['STCTL']],
  [SD_IC.IC1_STOSM << 16, ['STOSM']],
  [SD_IC.IC1_STNSM << 16, ['STNSM']],
  [SD_IC.IC2_STCK << 8, ['STCK']],
  [SD_IC.IC2_ISKE << 8, ['ISKE', 'ISK']],
  [SD_IC.IC2_SSKE << 8, ['SSKE', 'SSK']],
  [SD_IC.IC2_RRBE << 8, ['RRBE']],
  [SD_IC.IC3_SPT, ['SPT', 'STPT']],
  [SD_IC.IC3_SCKC, ['SCKC', 'STCKC']],
];

/** The interception policy a state description's controls describe. */
class SiePolicy implements InterceptionPolicy {
  readonly name = 'sie';
  ic = 0;
  svcControls = 0;
  lctl = false;
  /**
   * Program interruptions the guest took itself during this entry. A guest
   * whose program new PSW leads straight back into an exception loops
   * without completing an instruction, and isa-core's instruction budget
   * never runs out; after PROGRAM_STORM of them the next one is intercepted
   * instead, so the host gets control back (as a host timer would end SIE).
   */
  programs = 0;
  private intercepted = new Set<string>();

  load(sd: StateDescription): void {
    this.svcControls = sd.svcControls;
    // The set only changes with the controls: keep it across entries (SIE is entered on every dispatch).
    if (this.intercepted.size > 0 && this.ic === sd.ic && this.lctl === (sd.lctlMask !== 0)) return;
    this.ic = sd.ic;
    this.lctl = sd.lctlMask !== 0;
    this.intercepted = new Set(ALWAYS);
    for (const [bit, names] of IC_BITS) if ((sd.ic & bit) !== 0) for (const n of names) this.intercepted.add(n);
    if (this.lctl) this.intercepted.add('LCTL');
  }

  program(code: number): boolean {
    if (++this.programs > PROGRAM_STORM) return true;
    const ic0 = this.ic >>> 24;
    if ((ic0 & SD_IC.IC0_ALL_PROGRAM) !== 0) return true;
    if (code === 0x01 && (ic0 & SD_IC.IC0_OPERATION) !== 0) return true;
    return code === 0x02 && (ic0 & SD_IC.IC0_PRIVILEGED_OPERATION) !== 0;
  }

  svc(n: number): boolean {
    const c = this.svcControls;
    const flags = c >>> 24;
    if ((flags & 0x80) !== 0) return true;
    if ((flags & 0x40) !== 0 && ((c >>> 16) & 0xff) === n) return true;
    if ((flags & 0x20) !== 0 && ((c >>> 8) & 0xff) === n) return true;
    return (flags & 0x10) !== 0 && (c & 0xff) === n;
  }

  instruction(mnemonic: string): boolean {
    return this.intercepted.has(mnemonic);
  }
}

interface Guest {
  readonly cpu: Esa390Cpu;
  readonly policy: SiePolicy;
  readonly mso: number;
  readonly mse: number;
  readonly hostLayer: Translator | null;
}

/** Counters of the facility. */
export interface SieCounters {
  entries: number;
  /** Interceptions by code (hex string). */
  readonly byCode: Record<string, number>;
}

/** Options of the interpretive-execution facility. */
export interface InterpretiveExecutionOptions {
  /** The host's clock: guests' TOD clock and timers read it. */
  readonly clock: Clock;
}

/** SIE as a `SieFacility`; see the file comment. */
export class InterpretiveExecution implements SieFacility {
  /** Guest instructions per entry before SIE ends as if a host interruption came (interception code X'00'). */
  budget = 20_000;
  /** Guest instructions and cycles of the last entry. */
  lastInstructions = 0;
  lastCycles = 0;
  readonly counters: SieCounters = { entries: 0, byCode: {} };
  private readonly clock: Clock;
  private readonly guests = new Map<number, Guest>();
  private readonly bytes = new Uint8Array(SD_SIZE);
  private readonly words = new Uint32Array(2);

  constructor(options: InterpretiveExecutionOptions) {
    this.clock = options.clock;
  }

  /** The guest CPU that runs the state description at real address `sd` (for inspection and tests). */
  guestCpu(sd: number): Esa390Cpu | undefined {
    return this.guests.get(sd)?.cpu;
  }

  start(host: Esa390Cpu, sdAddress: number): Exit | null {
    if ((sdAddress & 7) !== 0) host.programCheck(0x06);
    const abs = host.absoluteToStorage(host.realToAbsolute(sdAddress), Access.Write);
    host.absoluteToStorage(host.realToAbsolute(sdAddress + SD_SIZE - 1), Access.Write);
    const storage = host.storage;
    storage.readInto(abs as never, this.bytes);
    const sd = decodeStateDescription(this.bytes);
    this.counters.entries++;
    const reason = validityReason(sd, abs);
    if (reason !== 0) return this.finish(storage, abs, sd, ICPT.VALIDITY, 0, (reason << 16) >>> 0);
    const guest = this.guestFor(host, sdAddress, sd);
    const cpu = guest.cpu;
    guest.policy.load(sd);
    guest.policy.programs = 0;
    // Registers: GR0-13 are the host's during SIE, GR14-15 travel in the description.
    for (let i = 0; i < 14; i++) cpu.gpr[i] = host.gpr[i]!;
    cpu.gpr[14] = sd.gr14 | 0;
    cpu.gpr[15] = sd.gr15 | 0;
    cpu.cr.set(sd.cr);
    cpu.prefix = sd.prefix & 0x7ffff000;
    if (!cpu.setPsw(sd.psw[0], sd.psw[1])) {
      cpu.invalidPsw = false;
      return this.finish(storage, abs, sd, ICPT.VALIDITY, 0, (VALIDITY.INVALID_MODE << 16) >>> 0);
    }
    const sys = systemOf(cpu);
    sys.skew = this.clock.now() - cpu.cycles;
    sys.timerValue = signedWordsToMicros(sd.cpuTimer[0], sd.cpuTimer[1]);
    sys.timerSetAt = cpu.cycles + sys.skew;
    sys.ckcWords[0] = sd.clockComparator[0];
    sys.ckcWords[1] = sd.clockComparator[1];
    sys.ckc = unsignedWordsToMicros(sd.clockComparator[0], sd.clockComparator[1]);
    // Make the CPU re-evaluate its timers at the first instruction boundary.
    cpu.timerDeadline = cpu.cycles;
    cpu.state = 'operating';
    cpu.flushTlb();
    refreshPending(cpu, sys);
    // Interruption requests the host made: intercept at once if the guest is enabled for them.
    const enabledFor = (cpu.sysmask & ((sd.v & SD_V.IO_PENDING ? 0x02 : 0) | (sd.v & SD_V.EXTERNAL_PENDING ? 0x01 : 0))) !== 0;
    if (enabledFor) {
      const code = (cpu.sysmask & 0x01) !== 0 && (sd.v & SD_V.EXTERNAL_PENDING) !== 0 ? ICPT.EXTERNAL_REQUEST : ICPT.IO_REQUEST;
      this.lastInstructions = 0;
      this.lastCycles = 0;
      return this.storeBack(host, guest, storage, abs, sd, code, 0, 0);
    }
    const before = cpu.cycles;
    const instructions = cpu.instructions;
    const exit = cpu.run(this.budget);
    this.lastCycles = cpu.cycles - before;
    this.lastInstructions = cpu.instructions - instructions;
    let code: number = ICPT.NONE;
    let ipa = 0;
    let ipb = 0;
    switch (exit.reason) {
      case 'interception':
        if (exit.kind === 'instruction' || exit.kind === 'svc') {
          code = ICPT.INSTRUCTION;
          [ipa, ipb] = this.instructionParameters(guest, exit.length);
        } else {
          code = ICPT.PROGRAM;
          // The interruption code goes where the prefix area keeps it (SD+X'C0' mirrors PSA X'80', so X'CC'):
          // this model's word there is completed-flag (bit 0) ‖ instruction length (bits 8-15) ‖ code.
          const pgm = exit.kind === 'host-translation' ? 0x05 : exit.code;
          ipb = ((exit.completed ? 0x80000000 : 0) | (exit.length << 16) | pgm) >>> 0;
        }
        break;
      case 'wait':
        code = ICPT.WAIT;
        break;
      case 'stopped':
        code = ICPT.STOP;
        break;
      case 'check-stop':
        code = ICPT.VALIDITY;
        ipb = 0x00ff0000;
        break;
      default:
        code = ICPT.NONE;
    }
    return this.storeBack(host, guest, storage, abs, sd, code, ipa, ipb);
  }

  private instructionParameters(guest: Guest, length: number): [number, number] {
    // The instruction was fetched a moment ago; copy it through the guest's own translation.
    const cpu = guest.cpu;
    try {
      const ipa = cpu.read16(cpu.ia);
      const ipb = length >= 4 ? ((cpu.read16(cpu.ia + 2) << 16) | (length >= 6 ? cpu.read16(cpu.ia + 4) : 0)) >>> 0 : 0;
      return [ipa, ipb];
    } catch {
      return [0, 0];
    }
  }

  private storeBack(host: Esa390Cpu, guest: Guest, storage: SparseStorage, abs: number, sd: StateDescription, code: number, ipa: number, ipb: number): null {
    const cpu = guest.cpu;
    for (let i = 0; i < 14; i++) host.gpr[i] = cpu.gpr[i]!;
    sd.gr14 = cpu.gpr[14]! >>> 0;
    sd.gr15 = cpu.gpr[15]! >>> 0;
    sd.psw = cpu.getPsw();
    sd.cr.set(cpu.cr);
    sd.prefix = cpu.prefix;
    const sys = systemOf(cpu);
    microsToWords(cpuTimerMicros(cpu, sys), this.words);
    sd.cpuTimer = [this.words[0]!, this.words[1]!];
    sd.clockComparator = [sys.ckcWords[0]!, sys.ckcWords[1]!];
    if (code === ICPT.PROGRAM) {
      storage.write32((abs + 0xcc) as never, ipb);
      ipb = 0;
    }
    return this.finish(storage, abs, sd, code, ipa, ipb);
  }

  private finish(storage: SparseStorage, abs: number, sd: StateDescription, code: number, ipa: number, ipb: number): null {
    sd.interceptionCode = code;
    sd.ipa = ipa;
    sd.ipb = ipb;
    encodeStateDescription(sd, this.bytes);
    // Keep what this model does not decode (interruption parameters at X'C0'…) as it was.
    const tail = new Uint8Array(SD_SIZE - 0xc0);
    storage.readInto((abs + 0xc0) as never, tail);
    this.bytes.set(tail, 0xc0);
    storage.writeFrom(abs as never, this.bytes);
    const key = code.toString(16).padStart(2, '0');
    this.counters.byCode[key] = (this.counters.byCode[key] ?? 0) + 1;
    return null;
  }

  /** The guest CPU of a state description, rebuilt when its storage origin or extent changed. */
  private guestFor(host: Esa390Cpu, sdAddress: number, sd: StateDescription): Guest {
    const cached = this.guests.get(sdAddress);
    if (cached && cached.mso === sd.mso && cached.mse === sd.mse && cached.hostLayer === host.hostLayer && cached.cpu.id === sd.cpuAddress) return cached;
    const origin = sd.mso * 0x10000;
    const size = (sd.mse + 1 - sd.mso) * 0x10000;
    const sieOrigin = offsetTranslator('sie-origin', origin, size);
    const layer = host.hostLayer === null ? sieOrigin : compose(sieOrigin, host.hostLayer);
    const policy = new SiePolicy();
    const holder: { cpu: Esa390Cpu | null } = { cpu: null };
    const dat: Esa390Dat = createEsa390Dat({
      storage: relocatedStorage(host.storage, layer, size),
      context: {
        get cr(): Int32Array {
          return holder.cpu!.cr;
        },
        addressSpaceControl: () => holder.cpu!.asc,
        realToAbsolute: (r: number) => holder.cpu!.realToAbsolute(r),
      },
      costModel: host.costModel,
    });
    const cpu = new Esa390Cpu({ id: sd.cpuAddress, storage: host.storage, hostLayer: layer, dat, policy, costModel: host.costModel });
    holder.cpu = cpu;
    const guest: Guest = { cpu, policy, mso: sd.mso, mse: sd.mse, hostLayer: host.hostLayer };
    this.guests.set(sdAddress, guest);
    return guest;
  }
}

