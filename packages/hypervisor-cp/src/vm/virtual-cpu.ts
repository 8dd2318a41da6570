/**
 * A virtual CPU under trap-and-emulate (VM/370 style). The guest's
 * instructions run on a real `Esa390Cpu` that is always in problem state,
 * with the TRAP_AND_EMULATE interception policy: every privileged
 * instruction, every program interruption and every SVC exits to CP.
 *
 * CP keeps what the guest believes about its CPU and the hardware must not
 * act on: the virtual PSW's system mask, problem-state and wait bits, the
 * virtual control registers, prefix, CPU timer and clock comparator, and the
 * pending virtual interruptions. The real CPU holds the rest of the PSW
 * (key, condition code, program mask, addressing mode, instruction address)
 * and the general registers, which are the guest's own. `syncReal()` maps
 * the virtual state onto the real CPU: problem state always, I/O and
 * external masks off (CP delivers those interruptions), DAT on only when the
 * guest's DAT is on, and then through CP's shadow tables.
 */
import {
  CR0_CLOCK_COMPARATOR,
  CR0_CPU_TIMER,
  CR0_EMERGENCY_SIGNAL,
  CR0_EXTERNAL_CALL,
  type CostModel,
  Esa390Cpu,
  type Esa390CpuSystem,
  type Esa390Dat,
  type SparseStorage,
  systemOf,
  TRAP_AND_EMULATE,
} from '@strachey/isa-core';
import type { GuestStorage } from './guest-storage';

/** PSW byte 0 bits (POP "Program-Status Word"). */
export const PSW_PER = 0x40;
/** PSW bit 5, DAT mode. */
export const PSW_DAT = 0x04;
/** PSW bit 6, I/O mask. */
export const PSW_IO = 0x02;
/** PSW bit 7, external mask. */
export const PSW_EXT = 0x01;
/** PSW byte 1 low bits: ESA (must be one), machine-check mask, wait, problem state. */
const FLAG_ESA = 0x8;
const FLAG_MCHECK = 0x4;
const FLAG_WAIT = 0x2;
const FLAG_PROBLEM = 0x1;
/** CR0 bit 3, low-address protection: the one CR0 bit the real CPU must honour for the guest. */
const CR0_LAP = 0x10000000;

/** Prefix-area locations (POP "Assigned Storage Locations", ESA/390). */
export const LOW = {
  EXT_OLD: 0x18,
  SVC_OLD: 0x20,
  PGM_OLD: 0x28,
  MCK_OLD: 0x30,
  IO_OLD: 0x38,
  RESTART_NEW: 0x00,
  RESTART_OLD: 0x08,
  EXT_NEW: 0x58,
  SVC_NEW: 0x60,
  PGM_NEW: 0x68,
  IO_NEW: 0x78,
  EXT_PARAM: 0x80,
  CPU_ADDRESS: 0x84,
  EXT_CODE: 0x86,
  SVC_ID: 0x88,
  PGM_ID: 0x8c,
  TEA: 0x90,
  SUBSYSTEM_ID: 0xb8,
  IO_PARAM: 0xbc,
} as const;

/** Pending virtual external conditions (bits of `VirtualCpu.externalPending`). */
export const VEXT = {
  EMERGENCY: 0x01,
  EXTERNAL_CALL: 0x02,
  CLOCK_COMPARATOR: 0x04,
  CPU_TIMER: 0x08,
  SERVICE_SIGNAL: 0x10,
} as const;

/** Run state of a virtual CPU. */
export type VirtualCpuState = 'operating' | 'stopped' | 'check-stop';

/**
 * Shadow-table DAT port the real CPU uses while the guest's DAT is on: guest
 * virtual → host directly (mmu ShadowPager). `flush()` of the real CPU (key,
 * PSW, ASC changes) only drops the TLB; CP drops shadows on the guest's own
 * PTLB, IPTE, CR1 loads and DAT enablement.
 */
export interface ShadowPort extends Esa390Dat {
  /** Drop every shadow (PTLB, LCTL of a translation CR). */
  purge(): void;
  /** The guest invalidated the page-table entry at guest absolute `entry` (IPTE). */
  invalidateEntry(entry: number): void;
}

/** One virtual CPU of a virtual machine; see the file comment. */
export class VirtualCpu {
  /** The real CPU that runs this virtual CPU's instructions. */
  readonly cpu: Esa390Cpu;
  /** Virtual CPU address (STAP, SIGP). */
  readonly address: number;
  /** Virtual control registers 0-15. */
  readonly cr = new Int32Array(16);
  /** Virtual PSW byte 0 (PER, DAT, I/O, external masks). */
  sysmask = 0;
  /** Virtual PSW machine-check mask, wait and problem-state bits. */
  mcheck = false;
  wait = false;
  problem = false;
  /** PSW bit 12 as loaded (must be one in ESA/390; a reset PSW is all zeros). */
  esa = true;
  /** Virtual prefix register. */
  prefix = 0;
  /** Virtual clock comparator, in TOD microseconds, and its raw words for STCKC. */
  ckc = Number.POSITIVE_INFINITY;
  readonly ckcWords = new Uint32Array([0xffffffff, 0xffffffff]);
  /** Virtual CPU timer: value in microseconds at host time `timerSetAt` (cycles). */
  timerValue = 0;
  timerSetAt = 0;
  /** VEXT bits of external conditions that are pending (not yet taken). */
  externalPending = 0;
  /** CPU address of a pending external call's sender, emergency signal senders. */
  externalCallFrom = -1;
  readonly emergencyFrom: number[] = [];
  state: VirtualCpuState = 'stopped';
  /** Blocked in CP (synchronous DIAGNOSE I/O) until CP resumes it. */
  blocked = false;
  /** Why the virtual CPU check-stopped (invalid new PSW loops, for instance). */
  checkStopReason = '';
  /** Scheduler entity id. */
  entity = -1;
  /**
   * Run by SIE (style 2): the guest's instructions run on the facility's
   * guest CPU, and `cpu` only holds the virtual PSW's fields and the
   * registers between interceptions. It is then never put in DAT mode:
   * mapping the virtual DAT state onto it (shadow-table purge, translation
   * flush at every interception that changes the guest's DAT bit) would be
   * work for a CPU that never runs.
   */
  interpretive = false;
  /** The real CPU's system state (its local time and clock event; kept here, not looked up per slice). */
  readonly system: Esa390CpuSystem;

  private readonly guest: GuestStorage;
  private readonly shadow: ShadowPort;
  private realDat = false;

  constructor(
    address: number,
    host: SparseStorage,
    guest: GuestStorage,
    shadow: ShadowPort,
    costModel: CostModel,
  ) {
    this.address = address;
    this.guest = guest;
    this.shadow = shadow;
    this.cpu = new Esa390Cpu({
      id: address,
      storage: host,
      hostLayer: guest.cpuLayer,
      dat: shadow,
      policy: TRAP_AND_EMULATE,
      costModel,
    });
    this.cpu.state = 'operating';
    this.system = systemOf(this.cpu);
    this.reset(true);
  }

  /** Initial CPU reset (POP "CPU Reset", "Initial CPU Reset"): PSW, prefix, CRs, timers cleared; CR0 and CR14 to their initial values. */
  reset(initial: boolean): void {
    this.sysmask = 0;
    this.mcheck = false;
    this.wait = false;
    this.problem = false;
    this.externalPending = 0;
    this.emergencyFrom.length = 0;
    this.externalCallFrom = -1;
    this.cpu.loadPsw(0, 0);
    this.esa = false;
    if (initial) {
      this.cr.fill(0);
      this.cr[0] = 0x000000e0;
      this.cr[14] = 0xc2000000 | 0;
      this.prefix = 0;
      this.ckc = 0;
      this.ckcWords[0] = 0;
      this.ckcWords[1] = 0;
      this.timerValue = 0;
      this.cpu.gpr.fill(0);
    }
    this.syncReal();
  }

  /** The virtual PSW as its two architected words. */
  getPsw(): [number, number] {
    const [hi, lo] = this.cpu.getPsw();
    const flags =
      (this.esa ? FLAG_ESA : 0) |
      (this.mcheck ? FLAG_MCHECK : 0) |
      (this.wait ? FLAG_WAIT : 0) |
      (this.problem ? FLAG_PROBLEM : 0);
    return [(((this.sysmask << 24) | (hi & 0x00f0ffff) | (flags << 16)) >>> 0) as number, lo];
  }

  /**
   * Make a PSW the virtual PSW (LPSW, interruptions, restart). Returns false
   * for an invalid PSW (POP "Early Exception Recognition"); the fields are
   * loaded anyway, as the hardware does, and the caller raises the
   * specification exception with the PSW itself as the old PSW.
   */
  setPsw(hi: number, lo: number): boolean {
    // Host-side load: the early exception for an invalid PSW is CP's to reflect, not the real CPU's to remember.
    const valid = this.cpu.loadPsw(this.interpretive ? hi & ~(PSW_DAT << 24) : hi, lo);
    this.sysmask = (hi >>> 24) & 0xff;
    const flags = (hi >>> 16) & 0xf;
    this.mcheck = (flags & FLAG_MCHECK) !== 0;
    this.wait = (flags & FLAG_WAIT) !== 0;
    this.problem = (flags & FLAG_PROBLEM) !== 0;
    this.esa = (flags & FLAG_ESA) !== 0;
    this.syncReal();
    return valid;
  }

  /** Map the virtual state onto the real CPU (see the file comment). */
  syncReal(): void {
    const cpu = this.cpu;
    cpu.flags = FLAG_ESA | FLAG_PROBLEM;
    const dat = !this.interpretive && (this.sysmask & PSW_DAT) !== 0;
    if (dat !== this.realDat) {
      this.realDat = dat;
      if (dat) {
        // The shadow maps guest virtual straight to host addresses: no prefixing, no window after it.
        this.shadow.purge();
        cpu.prefix = 0;
        cpu.hostLayer = null;
      } else {
        cpu.hostLayer = this.guest.cpuLayer;
      }
    }
    if (!dat) {
      if (cpu.prefix !== this.prefix) {
        cpu.prefix = this.prefix;
        cpu.flushTlb();
      }
    }
    cpu.sysmask = dat ? PSW_DAT : 0;
    const lap = this.cr[0]! & CR0_LAP;
    if ((cpu.cr[0]! & CR0_LAP) !== lap) {
      cpu.cr[0] = lap;
      cpu.flushTlb();
    }
  }

  /** Is the guest's DAT on? */
  get datOn(): boolean {
    return (this.sysmask & PSW_DAT) !== 0;
  }

  /** Address mask of the current addressing mode. */
  get amask(): number {
    return this.cpu.amask;
  }

  /** Which pending external conditions the virtual CR0 subclass masks enable. */
  enabledExternal(): number {
    const cr0 = this.cr[0]!;
    let m = 0;
    if ((cr0 & CR0_EMERGENCY_SIGNAL) !== 0) m |= VEXT.EMERGENCY;
    if ((cr0 & CR0_EXTERNAL_CALL) !== 0) m |= VEXT.EXTERNAL_CALL;
    if ((cr0 & CR0_CLOCK_COMPARATOR) !== 0) m |= VEXT.CLOCK_COMPARATOR;
    if ((cr0 & CR0_CPU_TIMER) !== 0) m |= VEXT.CPU_TIMER;
    if ((cr0 & 0x200) !== 0) m |= VEXT.SERVICE_SIGNAL;
    return this.externalPending & m;
  }

  /** Current virtual CPU-timer value in microseconds at host time `now` (cycles). */
  cpuTimer(now: number, cyclesPerMicrosecond: number): number {
    return this.timerValue - (now - this.timerSetAt) / cyclesPerMicrosecond;
  }
}

/** Guest real 0 through the prefix: the absolute address of a prefix-area location. */
export function lowcore(vcpu: VirtualCpu, offset: number): number {
  return (vcpu.prefix + offset) >>> 0;
}
