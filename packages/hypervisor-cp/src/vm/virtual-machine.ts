/**
 * A logged-on virtual machine under trap-and-emulate: its storage window,
 * virtual CPUs, virtual channel subsystem, and CP's handling of every exit
 * of its real CPU — emulation of privileged instructions in virtual
 * supervisor state, reflection of program interruptions and SVCs to the
 * guest's own new PSWs, delivery of virtual external and I/O interruptions,
 * DIAGNOSE.
 *
 * The rule that makes this Popek–Goldberg virtualization: the guest never
 * runs in real supervisor state; whatever would let it see or change real
 * machine state traps, and CP does to the *virtual* state exactly what the
 * hardware would have done to the real one.
 */
import {
  Access,
  type CostEvent,
  type CostModel,
  type Esa390Cpu,
  type Exit,
  type SimClock,
  esa390InstructionByOpcode,
  opcodeKey,
  microsToWords,
  PGM,
  signedWordsToMicros,
  type SparseStorage,
  type StoragePort,
  syncLocalTime,
  type Translator,
  unsignedWordsToMicros,
} from '@strachey/isa-core';
import { Esa390Format, ShadowPager } from '@strachey/mmu';
import {
  type InterpretiveExecution,
  SIE_ICPT,
  SIE_M,
  SIE_SD,
  SIE_SD_SIZE,
  SIE_V,
  sieInstructionLength,
} from '@strachey/isa-core';
import type { RealIoPort, VirtualDevice } from '../io/virtual-io';
import { VirtualIo } from '../io/virtual-io';
import { ConsoleInputQueue } from '../io/console-input';
import { diagnose } from './diagnose';
import { CP_AREA_BYTES, GuestStorage, realToAbsolute, SD_AREA_BYTES, SIE_UNIT } from './guest-storage';
import { LOW, PSW_EXT, PSW_IO, type ShadowPort, VEXT, VirtualCpu } from './virtual-cpu';

/** What a virtual machine needs from CP. */
export interface VmHost {
  readonly clock: SimClock;
  readonly costModel: CostModel;
  /** Execute a CP command on behalf of the VM (DIAGNOSE X'08'); returns the return code and response lines. */
  command(vm: VirtualMachine, text: string): { rc: number; lines: string[] };
  /** Drain completions of real I/O (they arrive as clock events). */
  poll(): void;
}

/** Counters of one virtual machine: interceptions by type, reflections, cycles. */
export interface VmCounters {
  /** Every exit of the real CPU that CP handled. */
  interceptions: number;
  /** Privileged instructions emulated, by mnemonic (LPSW, SSM, SSCH, DIAG 008, …). */
  readonly emulated: Record<string, number>;
  /** Program interruptions reflected to the guest, by code. */
  readonly reflectedProgram: Record<string, number>;
  svcReflected: number;
  externalDelivered: number;
  ioDelivered: number;
  /** Simulated cycles the guest's own instructions took. */
  guestCycles: number;
  /** Simulated cycles CP spent on interceptions (host trap, emulation, resume, reflection). */
  cpCycles: number;
  /** `cpCycles` broken down by interception type: an emulated mnemonic, 'program' / 'svc' reflection, 'external' / 'io' delivery. */
  readonly cpCyclesByType: Record<string, number>;
  /** Guest instructions executed. */
  instructions: number;
  /** Virtual I/O: SSCHs, CCWs translated, IDAWs built, real starts, CCWs CP simulated. */
  readonly io: Record<string, number>;
}

/** Run state as CP reports it (QUERY, the scheduler's lists). */
export type VmRunState = 'running' | 'waiting' | 'disabled-wait' | 'stopped' | 'check-stop' | 'blocked';

/** Sentinel for program exceptions recognised while CP emulates an instruction. */
class EmulationCheck {
  code = 0;
}
const CHECK = new EmulationCheck();

/** Options to build a VM (CP does this at LOGON). */
export interface VirtualMachineOptions {
  readonly userid: string;
  /** The storage the CPUs index: CP's real storage, or the machine's when CP runs in an LPAR (then `realLayer` relocates). */
  readonly host: SparseStorage;
  /** CP's real storage as CP addresses it, when that is not `host` itself (CP in an LPAR: the partition's storage). */
  readonly realView?: StoragePort;
  /** CP real → `host` (an LPAR's zone or block table); null or absent when CP owns `host`. */
  readonly realLayer?: Translator | null;
  readonly origin: number;
  readonly size: number;
  readonly cpus: number;
  readonly devices: readonly VirtualDevice[];
  readonly vmHost: VmHost;
  /** Builds the I/O port for this VM (it needs the VM for console output). */
  readonly ioPort: (vm: VirtualMachine) => RealIoPort;
  /** Instructions per run() slice of the real CPU, at most. */
  readonly quantum?: number;
  /**
   * Execution style: 'trap-and-emulate' (default; the guest runs in problem
   * state and every privileged instruction traps) or 'sie' (the guest runs in
   * its own supervisor state under a format-1 state description; only
   * interceptions reach CP). 'sie' needs `sie`.
   */
  readonly style?: ExecutionStyle;
  /** The interpretive-execution facility and the host CPU that issues SIE (style 'sie'). */
  readonly sie?: { readonly facility: InterpretiveExecution; readonly hostCpu: Esa390Cpu };
}

/** How CP runs a virtual machine's CPUs. */
export type ExecutionStyle = 'trap-and-emulate' | 'sie';

/**
 * One logged-on user's virtual machine (VM/370 "VMBLOK"): storage window,
 * virtual CPUs, virtual channel subsystem, console log and counters, and
 * CP's handling of its CPUs' exits in either execution style.
 */
export class VirtualMachine {
  readonly userid: string;
  readonly storage: GuestStorage;
  readonly cpus: VirtualCpu[] = [];
  readonly io: VirtualIo;
  /** Lines the guest wrote to its virtual console, and CP's messages to it. */
  readonly consoleLines: string[] = [];
  /**
   * Lines queued for the guest's console READs, oldest first. Queue with
   * `queueConsoleInput` (a plain `push` works the same way).
   */
  readonly consoleInput: string[] = new ConsoleInputQueue();
  /** Called with each console line (host side, e.g. a terminal). */
  onConsole: ((line: string) => void) | null = null;
  readonly counters: VmCounters = {
    interceptions: 0,
    emulated: {},
    reflectedProgram: {},
    svcReflected: 0,
    externalDelivered: 0,
    ioDelivered: 0,
    guestCycles: 0,
    cpCycles: 0,
    cpCyclesByType: {},
    instructions: 0,
    io: {},
  };
  readonly host: VmHost;
  readonly shadows: ShadowPager[] = [];
  /** The virtual CPU being run (the DAT walker CP uses reads its control registers). */
  current: VirtualCpu;
  private readonly quantum: number;
  private readonly mhz: number;
  /** The execution style of this virtual machine. */
  readonly style: ExecutionStyle;
  private readonly sie: { readonly facility: InterpretiveExecution; readonly hostCpu: Esa390Cpu } | null;
  private readonly w = new Uint32Array(2);
  /**
   * SIE style: per virtual CPU, the control registers as they stand in its
   * state description (CP wrote them, or read them back after an exit).
   * Only CP and the facility write the description, so CP writes a control
   * register before an entry only when its virtual copy differs — the guest
   * loads its own CRs interpretively and CP rarely changes one.
   */
  private readonly sdCr: Int32Array[] = [];
  /** The opcode `emulate` last emulated (an EXECUTE's target rather than EX), for the cycle breakdown. */
  private emulatedOpcode = 0;
  /** Absolute addresses of the pages an operand store touches (copyOut), reused. */
  private readonly pageScratch: number[] = [];
  /** Guest-operand access for the virtual channel subsystem, on behalf of `current`. */
  private readonly operandAccess = {
    fetch: (addr: number, out: Uint8Array): number => this.copyIn(this.current, addr, out),
    store: (addr: number, data: Uint8Array): number => this.copyOut(this.current, addr, data),
  };

  constructor(options: VirtualMachineOptions) {
    this.userid = options.userid;
    this.host = options.vmHost;
    this.quantum = options.quantum ?? 20_000;
    this.style = options.style ?? 'trap-and-emulate';
    this.sie = options.sie ?? null;
    if (
      this.style === 'sie' &&
      (this.sie === null || options.size % SIE_UNIT !== 0 || options.origin % SIE_UNIT !== 0)
    ) {
      throw new RangeError('SIE style needs the interpretive-execution facility and storage in 64 KB units');
    }
    this.mhz = options.vmHost.clock.cyclesPerMicrosecond;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const vm = this;
    const context = {
      get cr(): Int32Array {
        return vm.current.cr;
      },
      addressSpaceControl: () => vm.current.cpu.asc,
      realToAbsolute: (r: number) => realToAbsolute(r, vm.current.prefix),
    };
    this.storage = new GuestStorage(
      options.realView ?? options.host,
      options.origin,
      options.size,
      context,
      options.realLayer ?? null,
    );
    for (let i = 0; i < Math.max(1, options.cpus); i++) {
      // Each virtual CPU gets its own shadow tables: they depend on its control registers and prefix.
      const holder: { v: VirtualCpu | null } = { v: null };
      const shadowContext = {
        get cr(): Int32Array {
          return holder.v!.cr;
        },
        addressSpaceControl: () => holder.v!.cpu.asc,
        realToAbsolute: (r: number) => realToAbsolute(r, holder.v!.prefix),
      };
      const pager = new ShadowPager({
        format: new Esa390Format(shadowContext),
        hostStorage: options.host,
        pmap: this.storage.cpuLayer,
        guestSize: options.size,
        tracing: false,
        costModel: options.vmHost.costModel,
      });
      this.shadows.push(pager);
      const port: ShadowPort = {
        name: 'cp-shadow',
        translate: (a, acc, st) => pager.translate(a, acc, st),
        flush: () => pager.tlb?.flush(),
        loadRealAddress: () => -PGM.TRANSLATION_SPECIFICATION,
        invalidatePage: () => {},
        purge: () => {
          pager.flushShadows();
          pager.tlb?.flush();
        },
        invalidateEntry: (e) => pager.invalidateGuestEntry(e),
      };
      const v = new VirtualCpu(i, options.host, this.storage, port, options.vmHost.costModel);
      if (this.style === 'sie') {
        v.interpretive = true;
        v.syncReal();
      }
      holder.v = v;
      this.cpus.push(v);
    }
    this.current = this.cpus[0]!;
    // SIE's guest CPUs are built now (LOGON), fresh even where a logged-off machine ran, not at the first dispatch.
    if (this.style === 'sie' && this.sie !== null) {
      const mso = options.origin / SIE_UNIT;
      // MSE is the guest's own extent (its last 64 KB block), not a host limit: the window's size, wherever it starts.
      const mse = options.size / SIE_UNIT - 1;
      for (let i = 0; i < this.cpus.length; i++) {
        this.sie.facility.prepare(this.sie.hostCpu, this.stateDescriptionAddress(i), mso, mse, i);
        this.sdCr.push(this.describe(i, mso, mse));
      }
    }
    this.io = new VirtualIo(
      this.storage,
      options.ioPort(this),
      options.devices,
      CP_AREA_BYTES - SD_AREA_BYTES,
    );
    this.io.owner = this.userid;
    (this.consoleInput as ConsoleInputQueue).listen(() => this.io.consoleInputArrived());
  }

  /**
   * A line the user typed for the guest (the terminal in VM READ or
   * RUNNING): queued for the virtual console, and the console is told at
   * once — a console READ waiting for input completes with it (CE+DE, the
   * residual count of what did not fill the READ), or, with no READ active,
   * the console presents attention (unit status X'80') as an I/O
   * interruption if the guest enabled its subchannel. That is how a guest
   * waiting in an enabled wait learns that a line is there.
   */
  queueConsoleInput(line: string): void {
    this.consoleInput.push(line);
  }

  /** Set by DIAGNOSE X'44' (voluntary time-slice end): the dispatcher takes the CPU away now. */
  yieldRequested = false;

  /** A line on the virtual console (guest output or a CP message). */
  consoleLine(line: string): void {
    this.consoleLines.push(line);
    this.onConsole?.(line);
  }

  /** Storage size in bytes. */
  get storageSize(): number {
    return this.storage.size;
  }

  /** Load bytes into guest absolute storage (an IPL loader, a test). */
  load(address: number, bytes: Uint8Array): void {
    if (!this.storage.inside(address, bytes.length))
      throw new RangeError(`load outside the ${this.storage.size}-byte virtual machine`);
    this.storage.writeBytes(address, bytes);
  }

  /** Start virtual CPU 0 at a PSW (what IPL ends with). */
  start(pswHigh: number, pswLow: number): void {
    const v = this.cpus[0]!;
    v.state = 'operating';
    v.setPsw(pswHigh, pswLow);
  }

  /**
   * IPL from a minidisk (CP's IPL command, the directory's IPL statement):
   * a system reset of the virtual CPUs, the IPL I/O (see `VirtualIo.ipl`),
   * then virtual CPU 0 starts with the PSW the IPL record put at guest 0, and
   * the subsystem-identification word of the IPL device at X'B8' as the
   * hardware stores it. Completes while CP runs (real I/O); the result is
   * reported to `onDone` and on the console when it fails.
   */
  ipl(vdev: number, onDone?: (ok: boolean) => void): { ok: true } | { ok: false; message: string } {
    const s = this.io.byDevice(vdev);
    if (s === undefined)
      return {
        ok: false,
        message: `HCPIPL040E Device ${vdev.toString(16).toUpperCase().padStart(4, '0')} does not exist`,
      };
    if (s.device.kind !== 'minidisk')
      return {
        ok: false,
        message: `HCPIPL003E Device ${vdev.toString(16).toUpperCase().padStart(4, '0')} is not a DASD`,
      };
    for (const c of this.cpus) {
      c.reset(true);
      c.state = 'stopped';
      // A CPU waiting in CP for a DIAGNOSE X'18' waits no more: the IPL's I/O-system reset abandons that request.
      c.blocked = false;
    }
    const v = this.cpus[0]!;
    v.blocked = true;
    v.state = 'operating';
    const started = this.io.ipl(s, (scsw) => {
      v.blocked = false;
      this.io.onPending();
      const ok = (scsw.deviceStatus & ~0x0c) === 0 && scsw.subchannelStatus === 0;
      if (!ok) {
        v.state = 'stopped';
        this.consoleLine(
          `HCPIPL041E IPL failed on device ${vdev.toString(16).toUpperCase().padStart(4, '0')}: device status ${scsw.deviceStatus.toString(16).padStart(2, '0')}, subchannel status ${scsw.subchannelStatus.toString(16).padStart(2, '0')}`,
        );
        onDone?.(false);
        return;
      }
      this.storage.write32(LOW.SUBSYSTEM_ID, (0x00010000 | s.number) >>> 0);
      this.storage.write32(LOW.IO_PARAM, 0);
      const hi = this.storage.read32(0) >>> 0;
      const lo = this.storage.read32(4) >>> 0;
      if (!v.setPsw(hi, lo)) {
        v.state = 'stopped';
        this.consoleLine('HCPIPL042E IPL PSW is not valid');
        onDone?.(false);
        return;
      }
      onDone?.(true);
    });
    if (!started) {
      v.blocked = false;
      v.state = 'stopped';
      return { ok: false, message: 'HCPIPL043E Device busy' };
    }
    return { ok: true };
  }

  /**
   * The restart function on virtual CPU `i` (the operator's RESTART key,
   * SIGP restart): restart old PSW at X'8', new PSW from X'0'; the CPU starts.
   */
  restart(i = 0): void {
    const v = this.cpus[i]!;
    v.state = 'operating';
    this.swapPsw(v, LOW.RESTART_OLD, LOW.RESTART_NEW);
  }

  /** Run state of virtual CPU `i`, as the scheduler sees it. */
  runState(i = 0): VmRunState {
    const v = this.cpus[i]!;
    if (v.state === 'check-stop') return 'check-stop';
    if (v.state === 'stopped') return 'stopped';
    if (v.blocked) return 'blocked';
    if (v.wait) return (v.sysmask & (PSW_IO | PSW_EXT)) === 0 ? 'disabled-wait' : 'waiting';
    return 'running';
  }

  /** Could virtual CPU `i` run now (operating, not waiting, or an enabled interruption is pending)? */
  runnable(i: number): boolean {
    const v = this.cpus[i]!;
    if (v.state !== 'operating' || v.blocked) return false;
    if (!v.wait) return true;
    this.updateTimers(v, this.host.clock.now());
    return this.interruptionPending(v);
  }

  /** The earliest host time (cycles) at which a timer of a waiting CPU fires, or Infinity. */
  nextTimer(i: number): number {
    const v = this.cpus[i]!;
    let t = Number.POSITIVE_INFINITY;
    if ((v.sysmask & PSW_EXT) === 0) return t;
    const cr0 = v.cr[0]!;
    if ((cr0 & 0x800) !== 0 && Number.isFinite(v.ckc)) t = Math.min(t, Math.ceil(v.ckc * this.mhz) + 1);
    if ((cr0 & 0x400) !== 0) t = Math.min(t, Math.ceil(v.timerSetAt + v.timerValue * this.mhz) + 1);
    return t;
  }

  /**
   * Run virtual CPU `i` for up to `budget` simulated cycles of host time.
   * Returns the cycles used (guest instructions plus CP's work for it).
   */
  run(i: number, budget: number): number {
    if (this.style === 'sie') return this.runSie(i, budget);
    const v = this.cpus[i]!;
    this.current = v;
    const clock = this.host.clock;
    const cpu = v.cpu;
    let used = 0;
    while (used < budget) {
      this.updateTimers(v, clock.now());
      used += this.deliver(v);
      if (v.state !== 'operating' || v.wait || v.blocked) break;
      // Instructions cost at least one cycle: never run past the next virtual timer event or the budget.
      let limit = budget - used;
      const next = this.nextTimer(i) - clock.now();
      if (next > 0 && next < limit) limit = next;
      const cycles = Math.max(1, Math.floor(limit));
      const slice = Math.min(this.quantum, cycles);
      // The real CPU's local time (its TOD clock for STCK) is CP's clock.
      syncLocalTime(cpu, clock.now());
      // run() counts instructions, the limit is cycles: the real CPU's clock event at the limit ends its run there
      // (at the first boundary past it), so a virtual timer is not late by the guest's cycles per instruction.
      const at = clock.now() + cycles;
      const sys = v.system;
      sys.eventAt = at;
      if (at - sys.skew < cpu.timerDeadline) cpu.timerDeadline = at - sys.skew;
      const before = cpu.cycles;
      const instr = cpu.instructions;
      const exit = cpu.run(slice);
      const ran = cpu.cycles - before;
      this.counters.guestCycles += ran;
      this.counters.instructions += cpu.instructions - instr;
      used += ran;
      clock.advanceTo(clock.now() + ran);
      if (exit.reason !== 'budget') {
        const cost = this.exit(v, exit);
        used += cost;
        this.cpWork(v, cost);
      }
      this.host.poll();
      if (this.yieldRequested) {
        this.yieldRequested = false;
        break;
      }
    }
    return used;
  }

  /** Host real address of virtual CPU `i`'s state description. */
  stateDescriptionAddress(i: number): number {
    return this.storage.cpArea + CP_AREA_BYTES - SD_AREA_BYTES + i * SIE_SD_SIZE;
  }

  /** The frame bytes and offset of virtual CPU `i`'s state description (it never crosses a frame: see `runSie`). */
  private descriptionFrame(i: number): { readonly b: Uint8Array; readonly o: number } {
    const { hostCpu } = this.sie!;
    const index = hostCpu.absoluteToStorage(
      hostCpu.realToAbsolute(this.stateDescriptionAddress(i)),
      Access.Write,
    );
    return { b: hostCpu.storage.frameForWrite(index >>> 12), o: index & 0xfff };
  }

  /**
   * Fill in virtual CPU `i`'s state description at LOGON: what does not
   * change while the VM is logged on (mode, origin and extent, CPU address,
   * no interception controls or assists) and the control registers; returns
   * CP's record of the CRs the description holds (`sdCr`).
   */
  private describe(i: number, mso: number, mse: number): Int32Array {
    const { b, o } = this.descriptionFrame(i);
    b.fill(0, o, o + SIE_SD_SIZE);
    b[o + SIE_SD.M] = SIE_M.XA;
    put16(b, o + SIE_SD.MSO, mso);
    put16(b, o + SIE_SD.MSE, mse);
    put16(b, o + SIE_SD.CPU_ADDRESS, this.cpus[i]!.address);
    const cr = this.cpus[i]!.cr;
    for (let r = 0; r < 16; r++) put32(b, o + SD_CR + 4 * r, cr[r]!);
    return cr.slice();
  }

  /**
   * Style 2: run virtual CPU `i` by SIE (isa-core's interpretive-execution
   * facility). Between interceptions the virtual CPU's state lives in its
   * format-1 state description: CP puts the fields the guest may have
   * changed (PSW, GR14-15, CRs, prefix, timers, interruption requests) into
   * it before SIE and takes them back after it, in place in its storage
   * frame, then handles the interception with the same emulation routines
   * style 1 uses (they work on the virtual state).
   */
  private runSie(i: number, budget: number): number {
    const v = this.cpus[i]!;
    this.current = v;
    const clock = this.host.clock;
    const { facility, hostCpu } = this.sie!;
    const sd = this.stateDescriptionAddress(i);
    // The description is CP's storage: CP and the facility both work on its bytes in place (its 4 KB frame),
    // no copies. It is 256-byte aligned in CP's work area, so it never crosses a frame. Its constant fields
    // were filled in at LOGON (`describe`).
    const { b, o } = this.descriptionFrame(i);
    const w = this.w;
    const hg = hostCpu.gpr;
    const g = v.cpu.gpr;
    const cr = v.cr;
    const sdCr = this.sdCr[i]!;
    let used = 0;
    while (used < budget) {
      this.updateTimers(v, clock.now());
      used += this.deliver(v);
      if (v.state !== 'operating' || v.wait || v.blocked) break;
      // The guest's clock comparator and CPU timer are the facility's under SIE: it takes their interruptions at
      // the instruction where they fall due, so the entry does not end there (only the slice limits it).
      const limit = budget - used;
      const now = clock.now();
      const [pswHigh, pswLow] = v.getPsw();
      put32(b, o + SIE_SD.PSW, pswHigh);
      put32(b, o + SIE_SD.PSW + 4, pswLow);
      put32(b, o + SIE_SD.GR14, g[14]!);
      put32(b, o + SIE_SD.GR15, g[15]!);
      for (let r = 0; r < 16; r++) {
        const x = cr[r]!;
        if (x !== sdCr[r]) {
          sdCr[r] = x;
          put32(b, o + SD_CR + 4 * r, x);
        }
      }
      put32(b, o + SIE_SD.PREFIX, v.prefix);
      microsToWords(v.cpuTimer(now, this.mhz), w);
      put32(b, o + SIE_SD.CPU_TIMER, w[0]!);
      put32(b, o + SIE_SD.CPU_TIMER + 4, w[1]!);
      put32(b, o + SIE_SD.CLOCK_COMPARATOR, v.ckcWords[0]!);
      put32(b, o + SIE_SD.CLOCK_COMPARATOR + 4, v.ckcWords[1]!);
      // CP asks for interruption requests it must deliver itself (I/O, SIGP signals); timers are the guest's own under SIE.
      b[o + SIE_SD.V] =
        (this.io.hasInterruption(v.cr[6]!) ? SIE_V.IO_PENDING : 0) |
        ((v.externalPending & (VEXT.EMERGENCY | VEXT.EXTERNAL_CALL)) !== 0 &&
        (v.enabledExternal() & (VEXT.EMERGENCY | VEXT.EXTERNAL_CALL)) !== 0
          ? SIE_V.EXTERNAL_PENDING
          : 0);
      for (let r = 0; r < 14; r++) hg[r] = g[r]!;
      facility.budget = Math.max(1, Math.min(this.quantum, Math.floor(limit)));
      facility.start(hostCpu, sd);
      for (let r = 0; r < 14; r++) g[r] = hg[r]!;
      g[14] = get32(b, o + SIE_SD.GR14);
      g[15] = get32(b, o + SIE_SD.GR15);
      for (let r = 0; r < 16; r++) {
        const x = get32(b, o + SD_CR + 4 * r);
        cr[r] = x;
        sdCr[r] = x;
      }
      v.prefix = get32(b, o + SIE_SD.PREFIX) & 0x7ffff000;
      v.setPsw(get32(b, o + SIE_SD.PSW) >>> 0, get32(b, o + SIE_SD.PSW + 4) >>> 0);
      const after = clock.now() + facility.lastCycles;
      v.timerValue = signedWordsToMicros(
        get32(b, o + SIE_SD.CPU_TIMER) >>> 0,
        get32(b, o + SIE_SD.CPU_TIMER + 4) >>> 0,
      );
      v.timerSetAt = after;
      const ckcHigh = get32(b, o + SIE_SD.CLOCK_COMPARATOR) >>> 0;
      const ckcLow = get32(b, o + SIE_SD.CLOCK_COMPARATOR + 4) >>> 0;
      if (ckcHigh !== v.ckcWords[0] || ckcLow !== v.ckcWords[1]) {
        v.ckcWords[0] = ckcHigh;
        v.ckcWords[1] = ckcLow;
        v.ckc = unsignedWordsToMicros(ckcHigh, ckcLow);
      }
      const ran = facility.lastCycles;
      this.counters.guestCycles += ran;
      this.counters.instructions += facility.lastInstructions;
      used += ran;
      clock.advanceTo(after);
      let cost = this.cost('sie-entry') + this.cost('sie-exit');
      const code = b[o + SIE_SD.INTERCEPTION_CODE]!;
      if (code !== SIE_ICPT.NONE) this.counters.interceptions++;
      switch (code) {
        case SIE_ICPT.NONE:
        case SIE_ICPT.WAIT:
        case SIE_ICPT.IO_REQUEST:
        case SIE_ICPT.EXTERNAL_REQUEST:
          this.charge(
            code === SIE_ICPT.NONE ? 'sie-slice' : code === SIE_ICPT.WAIT ? 'sie-wait' : 'sie-request',
            cost,
          );
          break;
        case SIE_ICPT.INSTRUCTION: {
          // The facility stored the PSW past the instruction (past the EXECUTE for an EX target) and the instruction
          // itself in IPA/IPB: CP emulates from those and leaves the PSW where it is; the instruction's address,
          // for a program interruption that nullifies or suppresses, is the PSW less the ILC.
          const b0 = b[o + SIE_SD.IPA]!;
          const ipa = (b0 << 8) | b[o + SIE_SD.IPA + 1]!;
          const opcode = opcodeKey(b0, b[o + SIE_SD.IPA + 1]!);
          const length = sieInstructionLength(ipa, b[o + SIE_SD.INTERCEPTION_STATUS]!);
          const mnemonic = esa390InstructionByOpcode(opcode)?.mnemonic ?? 'other';
          const cpu = v.cpu;
          const e = this.emulateInstruction(
            v,
            opcode,
            (ipa << 16) | (get32(b, o + SIE_SD.IPB) >>> 16) | 0,
            (cpu.ia - length) & v.amask,
            cpu.ia,
          );
          this.charge(mnemonic, cost + e);
          cost += e;
          break;
        }
        case SIE_ICPT.PROGRAM: {
          // The guest PSW is already the program old PSW; ILC and code at SD+X'CC', the TEA at SD+X'D0' (as in the prefix area).
          // Besides what the guest's IC0 would ask for (CP sets none), the facility intercepts addressing,
          // specification, special-operation and protection exceptions whatever the controls say (mandatory
          // interceptions): each is reflected here, so the guest's handler sees what it would see bare.
          const id = get32(b, o + SIE_SD.PROGRAM_INTERRUPTION_ID) >>> 0;
          if ((id & 0x00ff0000) === 0) {
            // ILC 0: the early exception for an invalid PSW the guest loaded; the facility stored that PSW as the
            // guest PSW, and it is the program old PSW as is (not one an instruction length away).
            const e = this.cost('host-trap') + this.cost('host-resume') + this.cost('program-interruption');
            this.reflectInvalidPsw(v, get32(b, o + SIE_SD.PSW) >>> 0, get32(b, o + SIE_SD.PSW + 4) >>> 0);
            cost += e;
            this.charge('program', cost);
            break;
          }
          v.cpu.tea = get32(b, o + SIE_SD.TRANSLATION_EXCEPTION_ID) >>> 0;
          const e = this.exit(v, {
            reason: 'interception',
            kind: 'program',
            code: id & 0xffff,
            opcode: 0,
            length: (id >>> 16) & 0xff,
            completed: true,
          });
          this.counters.interceptions--;
          cost += e;
          this.charge('program', cost);
          break;
        }
        default: {
          const reason =
            code === SIE_ICPT.VALIDITY
              ? `, validity reason X'${((b[o + SIE_SD.IPB]! << 8) | b[o + SIE_SD.IPB + 1]!).toString(16).toUpperCase().padStart(4, '0')}'`
              : '';
          v.state = 'check-stop';
          v.checkStopReason = `SIE interception code X'${code.toString(16).toUpperCase().padStart(2, '0')}'${reason}`;
          this.charge('sie-validity', cost);
        }
      }
      used += cost;
      this.cpWork(v, cost);
      this.host.poll();
      if (this.yieldRequested) {
        this.yieldRequested = false;
        break;
      }
    }
    return used;
  }

  // ------------------------------------------------------------------ exits

  private cost(event: CostEvent): number {
    return this.host.costModel.events[event].cycles;
  }

  /** Handle one exit of the real CPU; returns CP's cycles. */
  private exit(v: VirtualCpu, exit: Exit): number {
    this.counters.interceptions++;
    let cycles = this.cost('host-trap') + this.cost('host-resume');
    if (exit.reason === 'interception') {
      if (exit.kind === 'svc') {
        const cpu = v.cpu;
        cpu.ia = (cpu.ia + exit.length) & cpu.amask;
        this.counters.svcReflected++;
        cycles += this.cost('svc-interruption');
        this.charge('svc', cycles);
        if (this.writeLow(v, LOW.SVC_ID, ((exit.length << 16) | (exit.code & 0xffff)) >>> 0))
          this.swapPsw(v, LOW.SVC_OLD, LOW.SVC_NEW);
        return cycles;
      }
      if (exit.kind === 'program' && exit.code === PGM.PRIVILEGED_OPERATION && !v.problem) {
        const total = cycles + this.emulate(v, exit.opcode, exit.length);
        // Charged to the instruction emulated: an EXECUTE's target, not EX.
        this.charge(esa390InstructionByOpcode(this.emulatedOpcode)?.mnemonic ?? 'other', total);
        return total;
      }
      if (exit.kind === 'program' || exit.kind === 'host-translation') {
        const code = exit.kind === 'host-translation' ? PGM.ADDRESSING : exit.code;
        const cpu = v.cpu;
        let ilc: number;
        let oldIa: number;
        if (exit.length === 0) {
          // Instruction-fetch exception: the CPU's own convention (ILC 2, or 1 for an odd address).
          ilc = code === PGM.SPECIFICATION ? 1 : 2;
          oldIa = nullifies(code) ? cpu.ia : (cpu.ia + 4) & cpu.amask;
        } else {
          ilc = exit.length >>> 1;
          oldIa = exit.completed || nullifies(code) ? cpu.ia : (cpu.ia + exit.length) & cpu.amask;
        }
        cycles += this.cost('program-interruption');
        this.reflectProgram(v, code, ilc, oldIa, cpu.tea);
        this.charge('program', cycles);
        return cycles;
      }
    }
    // Anything else (a check-stop of the real CPU) ends the virtual CPU.
    v.state = 'check-stop';
    v.checkStopReason = exit.reason === 'check-stop' ? exit.why : `unexpected exit ${exit.reason}`;
    return cycles;
  }

  /** Reflect a program interruption to the guest's program new PSW. */
  reflectProgram(v: VirtualCpu, code: number, ilc: number, oldIa: number, tea: number): void {
    const key = code.toString(16).padStart(4, '0');
    this.counters.reflectedProgram[key] = (this.counters.reflectedProgram[key] ?? 0) + 1;
    v.cpu.ia = oldIa & v.cpu.amask;
    if (!this.writeLow(v, LOW.PGM_ID, (((ilc << 1) << 16) | (code & 0xffff)) >>> 0)) return;
    // isa-core, as Hercules 3.13, stores the TEA with protection exceptions too (suppression on protection).
    if (nullifies(code) || code === PGM.PROTECTION) this.writeLow(v, LOW.TEA, tea);
    this.swapPsw(v, LOW.PGM_OLD, LOW.PGM_NEW);
  }

  /**
   * Reflect the early specification exception for an invalid PSW the guest
   * loaded (POP "Early Exception Recognition"): the invalid PSW itself is
   * the program old PSW and the ILC is 0.
   */
  private reflectInvalidPsw(v: VirtualCpu, hi: number, lo: number): void {
    this.counters.reflectedProgram['0006'] = (this.counters.reflectedProgram['0006'] ?? 0) + 1;
    if (
      !this.writeLow(v, LOW.PGM_OLD, hi) ||
      !this.writeLow(v, LOW.PGM_OLD + 4, lo) ||
      !this.writeLow(v, LOW.PGM_ID, PGM.SPECIFICATION)
    )
      return;
    const ph = this.storage.read32(v.prefix + LOW.PGM_NEW) >>> 0;
    const pl = this.storage.read32(v.prefix + LOW.PGM_NEW + 4) >>> 0;
    if (!v.setPsw(ph, pl)) {
      v.state = 'check-stop';
      v.checkStopReason = 'program interruption loop: invalid program new PSW';
    }
  }

  /** Store a word in the virtual prefix area; check-stops the virtual CPU if the prefix area is outside storage. */
  private writeLow(v: VirtualCpu, offset: number, value: number): boolean {
    const a = v.prefix + offset;
    if (!this.storage.inside(a, 4)) {
      v.state = 'check-stop';
      v.checkStopReason = 'prefix area outside virtual storage';
      return false;
    }
    this.storage.write32(a, value);
    return true;
  }

  /**
   * Interruption PSW swap in the virtual prefix area. An invalid new PSW is
   * an early specification exception (old PSW = the invalid PSW, ILC 0); an
   * invalid program new PSW would loop, so the virtual CPU check-stops as
   * the real CPU does.
   */
  private swapPsw(v: VirtualCpu, oldOffset: number, newOffset: number): void {
    const [hi, lo] = v.getPsw();
    if (!this.writeLow(v, oldOffset, hi) || !this.writeLow(v, oldOffset + 4, lo)) return;
    const nh = this.storage.read32(v.prefix + newOffset) >>> 0;
    const nl = this.storage.read32(v.prefix + newOffset + 4) >>> 0;
    if (v.setPsw(nh, nl)) return;
    if (newOffset === LOW.PGM_NEW) {
      v.state = 'check-stop';
      v.checkStopReason = 'program interruption loop: invalid program new PSW';
      return;
    }
    this.writeLow(v, LOW.PGM_OLD, nh);
    this.writeLow(v, LOW.PGM_OLD + 4, nl);
    this.writeLow(v, LOW.PGM_ID, PGM.SPECIFICATION);
    const ph = this.storage.read32(v.prefix + LOW.PGM_NEW) >>> 0;
    const pl = this.storage.read32(v.prefix + LOW.PGM_NEW + 4) >>> 0;
    if (!v.setPsw(ph, pl)) {
      v.state = 'check-stop';
      v.checkStopReason = 'program interruption loop: invalid program new PSW';
    }
  }

  // ------------------------------------------------------------ interruptions

  private updateTimers(v: VirtualCpu, now: number): void {
    const tod = now / this.mhz;
    if (tod > v.ckc) v.externalPending |= VEXT.CLOCK_COMPARATOR;
    else v.externalPending &= ~VEXT.CLOCK_COMPARATOR;
    if (v.cpuTimer(now, this.mhz) < 0) v.externalPending |= VEXT.CPU_TIMER;
    else v.externalPending &= ~VEXT.CPU_TIMER;
  }

  private interruptionPending(v: VirtualCpu): boolean {
    if ((v.sysmask & PSW_EXT) !== 0 && v.enabledExternal() !== 0) return true;
    if ((v.sysmask & PSW_IO) !== 0 && this.io.hasInterruption(v.cr[6]!)) return true;
    return false;
  }

  /** Deliver enabled virtual external and I/O interruptions (POP priority: external before I/O). Returns CP cycles. */
  private deliver(v: VirtualCpu): number {
    let cycles = 0;
    for (let guard = 0; guard < 8 && v.state === 'operating'; guard++) {
      if ((v.sysmask & PSW_EXT) !== 0) {
        const ext = v.enabledExternal();
        if (ext !== 0) {
          let code: number;
          let from = -1;
          if ((ext & VEXT.EMERGENCY) !== 0) {
            code = 0x1201;
            from = v.emergencyFrom.shift() ?? 0;
            if (v.emergencyFrom.length === 0) v.externalPending &= ~VEXT.EMERGENCY;
          } else if ((ext & VEXT.EXTERNAL_CALL) !== 0) {
            code = 0x1202;
            from = v.externalCallFrom;
            v.externalCallFrom = -1;
            v.externalPending &= ~VEXT.EXTERNAL_CALL;
          } else if ((ext & VEXT.CLOCK_COMPARATOR) !== 0) code = 0x1004;
          else if ((ext & VEXT.CPU_TIMER) !== 0) code = 0x1005;
          else {
            code = 0x2401;
            v.externalPending &= ~VEXT.SERVICE_SIGNAL;
          }
          // X'84' CPU address of the sender (SIGP orders), X'86' the interruption code.
          if (!this.writeLow(v, LOW.CPU_ADDRESS, ((Math.max(0, from) << 16) | code) >>> 0)) break;
          this.swapPsw(v, LOW.EXT_OLD, LOW.EXT_NEW);
          this.counters.externalDelivered++;
          cycles += this.cost('external-interruption') + this.cost('host-resume');
          this.charge('external', this.cost('external-interruption') + this.cost('host-resume'));
          continue;
        }
      }
      if ((v.sysmask & PSW_IO) !== 0) {
        const t = this.io.takeInterruption(v.cr[6]!);
        if (t !== null) {
          if (!this.writeLow(v, LOW.SUBSYSTEM_ID, t[0]) || !this.writeLow(v, LOW.IO_PARAM, t[1])) break;
          this.swapPsw(v, LOW.IO_OLD, LOW.IO_NEW);
          this.counters.ioDelivered++;
          cycles += this.cost('io-interruption') + this.cost('host-resume');
          this.charge('io', this.cost('io-interruption') + this.cost('host-resume'));
          continue;
        }
      }
      break;
    }
    this.counters.cpCycles += cycles;
    return cycles;
  }

  /**
   * CP's own work for virtual CPU `v` (an interception's handling): CP's
   * cycles and simulated time pass, but the virtual CPU timer stands still
   * meanwhile — VM/370 charges CP's work as overhead, not virtual time, and
   * SIE's guest timer runs only in interpretive execution; bare, the guest
   * would not have run then either.
   */
  private cpWork(v: VirtualCpu, cost: number): void {
    this.counters.cpCycles += cost;
    this.host.clock.advanceTo(this.host.clock.now() + cost);
    v.timerSetAt += cost;
  }

  // --------------------------------------------------------------- emulation

  private charge(type: string, cycles: number): void {
    this.counters.cpCyclesByType[type] = (this.counters.cpCyclesByType[type] ?? 0) + cycles;
  }

  private count(name: string): void {
    this.counters.emulated[name] = (this.counters.emulated[name] ?? 0) + 1;
  }

  /** Raise a program exception inside emulation. */
  check(code: number): never {
    CHECK.code = code;
    throw CHECK;
  }

  /** Guest logical operand → guest absolute with the PSW key's protection, or a program check. */
  operand(v: VirtualCpu, address: number, access: Access, key = v.cpu.key): number {
    const a = this.storage.logical(address, v.amask, v.datOn, v.prefix, key, access);
    if (a < 0) this.check(-a);
    return a;
  }

  /** Fetch a word operand. */
  fetch32(v: VirtualCpu, address: number): number {
    return this.storage.read32(this.operand(v, address, Access.Read));
  }

  /** Store a word operand. */
  store32(v: VirtualCpu, address: number, value: number): void {
    this.storage.write32(this.operand(v, address, Access.Write), value);
  }

  /** Guest real → absolute with the addressing check (storage-key instructions, IPTE). */
  realAbs(v: VirtualCpu, real: number): number {
    const a = realToAbsolute(real & 0x7fffffff, v.prefix);
    if (a >= this.storage.size) this.check(PGM.ADDRESSING);
    return a;
  }

  /**
   * Emulate the privileged instruction at the virtual PSW (virtual
   * supervisor state). Returns CP's cycles for it. When the instruction
   * there is an EXECUTE, the privileged one is its target (POP "EXECUTE":
   * the exception is reported for the EXECUTE, at its address with its ILC
   * 2), so CP fetches the target through the EX as VM/370's CP did, ORs
   * bits 24-31 of R1 into the target's second byte, emulates the result as
   * if it stood at the EX's place and leaves the PSW past the EX; program
   * exceptions found meanwhile are reflected with the EX's address and ILC.
   */
  private emulate(v: VirtualCpu, opcode: number, length: number): number {
    const ia = v.cpu.ia;
    let w0: number;
    let target = opcode;
    this.emulatedOpcode = opcode;
    try {
      // The instruction was just fetched by the real CPU, so these fetches succeed.
      w0 = this.fetchInstruction(v, ia, 4);
      if (opcode === 0x44) {
        const gpr = v.cpu.gpr;
        const x2 = (w0 >>> 16) & 0xf;
        const b2 = (w0 >>> 12) & 0xf;
        const at = ((x2 === 0 ? 0 : gpr[x2]!) + (b2 === 0 ? 0 : gpr[b2]!) + (w0 & 0xfff)) & v.amask;
        // The real CPU fetched the target too (odd address and access exceptions came first), so key 0 as above.
        if ((at & 1) !== 0) this.check(PGM.SPECIFICATION);
        const first = this.storage.read8(this.operand(v, at, Access.Fetch, 0));
        // Instruction length from the first two opcode bits: only the halfwords the target has are fetched.
        let t = this.fetchInstruction(v, at, first < 0x40 ? 2 : 4);
        const r1 = (w0 >>> 20) & 0xf;
        if (r1 !== 0) t |= (gpr[r1]! & 0xff) << 16;
        // Another virtual CPU could have stored an EX there since the real CPU looked: the execute exception.
        if (t >>> 24 === 0x44) this.check(PGM.EXECUTE);
        target = opcodeKey(t >>> 24, (t >>> 16) & 0xff);
        this.emulatedOpcode = target;
        w0 = t | 0;
      }
    } catch (e) {
      if (e !== CHECK) throw e;
      const row = esa390InstructionByOpcode(target);
      this.count(row?.mnemonic ?? `X'${target.toString(16).toUpperCase()}'`);
      return (row?.cycles ?? 20) + this.reflectEmulated(v, CHECK.code, ia, length);
    }
    return this.emulateInstruction(v, target, w0, ia, (ia + length) & v.amask);
  }

  /** The first `bytes` (2 or 4) of the instruction at guest logical `ia`, left-aligned in a word; program checks as `operand`. */
  private fetchInstruction(v: VirtualCpu, ia: number, bytes: number): number {
    const hi = this.storage.read16(this.operand(v, ia, Access.Fetch, 0)) << 16;
    return bytes === 2 ? hi : hi | this.storage.read16(this.operand(v, (ia + 2) & v.amask, Access.Fetch, 0));
  }

  /** A program interruption an emulated instruction at `ia`, `length` bytes long, raised: reflected to the guest; CP's cycles for it. */
  private reflectEmulated(v: VirtualCpu, code: number, ia: number, length: number): number {
    v.cpu.ia = ia;
    this.reflectProgram(
      v,
      code,
      length >>> 1,
      nullifies(code) ? ia : (ia + length) & v.amask,
      this.storage.translation.exceptionId,
    );
    return this.cost('program-interruption');
  }

  /**
   * Emulate the privileged instruction whose first word is `w0`, at virtual
   * address `ia` with the next instruction at `next` (the EXECUTE's when it
   * is an EX target): the PSW is left at `next` unless the instruction loads
   * a new one; a program interruption it raises is reflected with the old
   * PSW at `ia` (nullification) or `next`. Returns CP's cycles for it.
   */
  private emulateInstruction(v: VirtualCpu, opcode: number, w0: number, ia: number, next: number): number {
    const cpu = v.cpu;
    const length = (next - ia) & v.amask;
    const row = esa390InstructionByOpcode(opcode);
    this.count(row?.mnemonic ?? `X'${opcode.toString(16).toUpperCase()}'`);
    let cycles = row?.cycles ?? 20;
    try {
      cpu.ia = next;
      const changedPsw = this.execute(v, opcode, w0);
      if (!changedPsw) cpu.ia = next;
      v.syncReal();
    } catch (e) {
      if (e !== CHECK) throw e;
      cycles += this.reflectEmulated(v, CHECK.code, ia, length);
    }
    return cycles;
  }

  /** Second-operand address D2(B2) of an S/RS/SI instruction. */
  private addrS(v: VirtualCpu, w0: number): number {
    const b = (w0 >>> 12) & 0xf;
    return ((b === 0 ? 0 : v.cpu.gpr[b]!) + (w0 & 0xfff)) & v.amask;
  }

  /** Execute one emulated instruction; returns true when it loaded a new PSW (ia set by it). */
  private execute(v: VirtualCpu, opcode: number, w0: number): boolean {
    const cpu = v.cpu;
    const gpr = cpu.gpr;
    const w = this.w;
    switch (opcode) {
      case 0x82: {
        // LPSW
        const a = this.addrS(v, w0);
        if ((a & 7) !== 0) this.check(PGM.SPECIFICATION);
        const hi = this.fetch32(v, a) >>> 0;
        const lo = this.fetch32(v, a + 4) >>> 0;
        if (!v.setPsw(hi, lo)) this.reflectInvalidPsw(v, hi, lo);
        return true;
      }
      case 0x80: {
        // SSM; CR0 bit 1 (SSM suppression) makes it a special-operation exception.
        if ((v.cr[0]! & 0x40000000) !== 0) this.check(0x13);
        const m = this.storage.read8(this.operand(v, this.addrS(v, w0), Access.Read));
        v.sysmask = m;
        v.syncReal();
        if ((m & 0xb8) !== 0) this.check(PGM.SPECIFICATION);
        return false;
      }
      case 0xad:
      case 0xac: {
        // STOSM / STNSM: store the system mask, then OR / AND the immediate into it.
        const a = this.operand(v, this.addrS(v, w0), Access.Write);
        this.storage.write8(a, v.sysmask);
        const i2 = (w0 >>> 16) & 0xff;
        const m = opcode === 0xad ? v.sysmask | i2 : v.sysmask & i2;
        v.sysmask = m;
        v.syncReal();
        if ((m & 0xb8) !== 0) this.check(PGM.SPECIFICATION);
        return false;
      }
      case 0xb7:
      case 0xb6: {
        // LCTL / STCTL
        const r1 = (w0 >>> 20) & 0xf;
        const r3 = (w0 >>> 16) & 0xf;
        const a = this.addrS(v, w0);
        if ((a & 3) !== 0) this.check(PGM.SPECIFICATION);
        const n = ((r3 - r1) & 0xf) + 1;
        if (opcode === 0xb6) {
          for (let k = 0; k < n; k++) this.operand(v, a + 4 * k, Access.Write);
          for (let k = 0; k < n; k++) this.store32(v, a + 4 * k, v.cr[(r1 + k) & 0xf]!);
          return false;
        }
        const values: number[] = [];
        for (let k = 0; k < n; k++) values.push(this.fetch32(v, a + 4 * k));
        let translation = false;
        for (let k = 0; k < n; k++) {
          const r = (r1 + k) & 0xf;
          if ((r === 0 || r === 1 || r === 7 || r === 13) && v.cr[r] !== values[k]) translation = true;
          v.cr[r] = values[k]!;
        }
        if (translation) {
          this.shadowPurge(v);
          cpu.flushTlb();
        }
        return false;
      }
      case 0xb210: {
        // SPX
        const a = this.addrS(v, w0);
        if ((a & 3) !== 0) this.check(PGM.SPECIFICATION);
        const p = this.fetch32(v, a) & 0x7ffff000;
        if (p >= this.storage.size) this.check(PGM.ADDRESSING);
        v.prefix = p;
        this.shadowPurge(v);
        cpu.flushTlb();
        return false;
      }
      case 0xb211: {
        // STPX
        const a = this.addrS(v, w0);
        if ((a & 3) !== 0) this.check(PGM.SPECIFICATION);
        this.store32(v, a, v.prefix);
        return false;
      }
      case 0xb206:
      case 0xb208: {
        // SCKC / SPT
        const a = this.addrS(v, w0);
        if ((a & 7) !== 0) this.check(PGM.SPECIFICATION);
        const hi = this.fetch32(v, a) >>> 0;
        const lo = this.fetch32(v, a + 4) >>> 0;
        if (opcode === 0xb206) {
          v.ckcWords[0] = hi;
          v.ckcWords[1] = lo;
          v.ckc = unsignedWordsToMicros(hi, lo);
        } else {
          v.timerValue = signedWordsToMicros(hi, lo);
          v.timerSetAt = this.host.clock.now();
        }
        return false;
      }
      case 0xb207:
      case 0xb209: {
        // STCKC / STPT
        const a = this.addrS(v, w0);
        if ((a & 7) !== 0) this.check(PGM.SPECIFICATION);
        if (opcode === 0xb207) {
          w[0] = v.ckcWords[0]!;
          w[1] = v.ckcWords[1]!;
        } else microsToWords(v.cpuTimer(this.host.clock.now(), this.mhz), w);
        this.operand(v, a, Access.Write);
        this.operand(v, a + 7, Access.Write);
        this.store32(v, a, w[0]!);
        this.store32(v, a + 4, w[1]!);
        return false;
      }
      case 0xb204: {
        // SCK: the TOD clock is CP's; a virtual machine's SET CLOCK is accepted and ignored (cc 0), as VM/370 did.
        const a = this.addrS(v, w0);
        if ((a & 7) !== 0) this.check(PGM.SPECIFICATION);
        this.fetch32(v, a);
        cpu.cc = 0;
        return false;
      }
      case 0xb229: {
        // ISKE
        const r1 = (w0 >>> 4) & 0xf;
        const abs = this.realAbs(v, gpr[w0 & 0xf]! & v.amask);
        gpr[r1] = (gpr[r1]! & ~0xff) | (this.storage.getKey(abs) & 0xfe);
        return false;
      }
      case 0xb22b: {
        // SSKE
        const r1 = (w0 >>> 4) & 0xf;
        const abs = this.realAbs(v, gpr[w0 & 0xf]! & v.amask);
        this.storage.setKey(abs, gpr[r1]! & 0xfe);
        cpu.flushTlb();
        return false;
      }
      case 0xb22a: {
        // RRBE: cc = reference bit ‖ change bit, then reset the reference bit.
        const abs = this.realAbs(v, gpr[w0 & 0xf]! & v.amask);
        const k = this.storage.getKey(abs);
        cpu.cc = ((k & 0x04) !== 0 ? 2 : 0) | ((k & 0x02) !== 0 ? 1 : 0);
        this.storage.setKey(abs, k & ~0x04);
        return false;
      }
      case 0xb212: {
        // STAP
        const a = this.addrS(v, w0);
        if ((a & 1) !== 0) this.check(PGM.SPECIFICATION);
        this.storage.write16(this.operand(v, a, Access.Write), v.address);
        return false;
      }
      case 0xb202: {
        // STIDP: version code X'FF' tells a program it runs in a virtual machine (VM/370 convention).
        const a = this.addrS(v, w0);
        if ((a & 7) !== 0) this.check(PGM.SPECIFICATION);
        this.operand(v, a + 7, Access.Write);
        this.store32(v, a, 0xff000611 | 0);
        this.store32(v, a + 4, 0x30900000);
        return false;
      }
      case 0xae:
        return this.sigp(v, w0);
      case 0xb1: {
        // LRA against the guest's own tables.
        const r1 = (w0 >>> 20) & 0xf;
        const x = (w0 >>> 16) & 0xf;
        const b = (w0 >>> 12) & 0xf;
        const addr = ((x === 0 ? 0 : gpr[x]!) + (b === 0 ? 0 : gpr[b]!) + (w0 & 0xfff)) & v.amask;
        const r = this.storage.loadRealAddress(addr);
        if (typeof r === 'number') this.check(-r);
        gpr[r1] = r.value;
        cpu.cc = r.cc;
        return false;
      }
      case 0xb221: {
        // IPTE: set the invalid bit of the guest's PTE and drop the shadow built from it.
        const pto = gpr[(w0 >>> 4) & 0xf]! & 0x7fffffc0;
        const px = (gpr[w0 & 0xf]! >>> 12) & 0xff;
        const entry = this.realAbs(v, pto + px * 4);
        this.storage.write32(entry, this.storage.read32(entry) | 0x400);
        for (const s of this.shadows) s.invalidateGuestEntry(entry);
        for (const c of this.cpus) c.cpu.flushTlb();
        return false;
      }
      case 0xb20d:
        // PTLB
        this.shadowPurge(v);
        cpu.flushTlb();
        return false;
      case 0x83: {
        const code = this.addrS(v, w0) & 0xffff;
        this.count(`DIAG ${code.toString(16).toUpperCase().padStart(3, '0')}`);
        return diagnose(this, v, (w0 >>> 20) & 0xf, (w0 >>> 16) & 0xf, code);
      }
      case 0xb233:
      case 0xb235:
      case 0xb234:
      case 0xb232:
      case 0xb231:
      case 0xb230:
      case 0xb238:
      case 0xb236: {
        const a = opcode === 0xb231 || opcode === 0xb230 || opcode === 0xb238 ? 0 : this.addrS(v, w0);
        this.io.tpiCr6 = v.cr[6]!;
        // The operand accessors act for `this.current`, the virtual CPU being emulated (made once, not per instruction).
        const r = this.io.execute(opcode, gpr[1]!, a, this.operandAccess);
        if (r < 0) this.check(-r);
        if (opcode === 0xb236 && r === 1 && a === 0 && this.io.lastTpi !== null) {
          this.writeLow(v, LOW.SUBSYSTEM_ID, this.io.lastTpi[0]);
          this.writeLow(v, LOW.IO_PARAM, this.io.lastTpi[1]);
        }
        cpu.cc = r & 3;
        return false;
      }
      default:
        // SIE and anything else privileged CP does not offer: the guest sees a machine without it.
        this.check(PGM.OPERATION);
    }
  }

  /** Drop the shadows of every virtual CPU (their tables may be shared by the guest's address spaces). */
  private shadowPurge(_v: VirtualCpu): void {
    for (const s of this.shadows) {
      s.flushShadows();
      s.tlb?.flush();
    }
  }

  /** Copy an operand from guest logical storage (I/O control blocks); 0 or a negated program code. */
  copyIn(v: VirtualCpu, address: number, out: Uint8Array): number {
    // Translation, prefixing and protection act on whole 4 KB pages: one check and one copy per page the operand touches.
    let done = 0;
    while (done < out.length) {
      const l = (address + done) & v.amask;
      const abs = this.storage.logical(l, v.amask, v.datOn, v.prefix, v.cpu.key, Access.Read);
      if (abs < 0) return abs;
      const n = Math.min(out.length - done, 0x1000 - (l & 0xfff));
      this.storage.readBytes(abs, out.subarray(done, done + n));
      done += n;
    }
    return 0;
  }

  /** Store an operand into guest logical storage, all-or-nothing; 0 or a negated program code. */
  copyOut(v: VirtualCpu, address: number, data: Uint8Array): number {
    // Check every page first (one check per page, as in copyIn), then store page by page.
    const pages = this.pageScratch;
    pages.length = 0;
    for (let done = 0; done < data.length; ) {
      const l = (address + done) & v.amask;
      const a = this.storage.logical(l, v.amask, v.datOn, v.prefix, v.cpu.key, Access.Write);
      if (a < 0) return a;
      pages.push(a);
      done += Math.min(data.length - done, 0x1000 - (l & 0xfff));
    }
    for (let done = 0, page = 0; done < data.length; page++) {
      const n = Math.min(data.length - done, 0x1000 - ((address + done) & v.amask & 0xfff));
      this.storage.writeBytes(pages[page]!, data.subarray(done, done + n));
      done += n;
    }
    return 0;
  }

  /** SIGNAL PROCESSOR between the virtual CPUs of this VM (POP 4-"Signal Processor"). */
  private sigp(v: VirtualCpu, w0: number): boolean {
    const gpr = v.cpu.gpr;
    const r1 = (w0 >>> 20) & 0xf;
    const r3 = (w0 >>> 16) & 0xf;
    const order = this.addrS(v, w0) & 0xff;
    const target = this.cpus[gpr[r3]! & 0xffff];
    if (target === undefined) {
      v.cpu.cc = 3;
      return false;
    }
    const status = (bits: number): boolean => {
      gpr[r1] = bits;
      v.cpu.cc = 1;
      return false;
    };
    switch (order) {
      case 0x01: {
        let s = 0;
        if (target.state === 'stopped') s |= 0x40;
        if (target.state === 'check-stop') s |= 0x10;
        if ((target.externalPending & VEXT.EXTERNAL_CALL) !== 0) s |= 0x80;
        if (s !== 0) return status(s);
        break;
      }
      case 0x02:
        if ((target.externalPending & VEXT.EXTERNAL_CALL) !== 0) return status(0x80);
        target.externalPending |= VEXT.EXTERNAL_CALL;
        target.externalCallFrom = v.address;
        break;
      case 0x03:
        target.emergencyFrom.push(v.address);
        target.externalPending |= VEXT.EMERGENCY;
        break;
      case 0x04:
        if (target.state === 'stopped') target.state = 'operating';
        break;
      case 0x05:
        if (target.state === 'operating') target.state = 'stopped';
        break;
      case 0x06: {
        // Restart: restart old PSW at X'8', new PSW from X'0'; the target starts.
        target.state = 'operating';
        this.swapPsw(target, LOW.RESTART_OLD, LOW.RESTART_NEW);
        break;
      }
      case 0x0b:
      case 0x0c:
        if (target === v) return status(0x02);
        target.reset(order === 0x0b);
        target.state = 'stopped';
        break;
      case 0x0d: {
        if (target.state !== 'stopped') return status(0x200);
        const p = gpr[r1 | 1]! & 0x7ffff000;
        if (p >= this.storage.size) return status(0x100);
        target.prefix = p;
        target.syncReal();
        break;
      }
      default:
        return status(0x02);
    }
    v.cpu.cc = 0;
    return false;
  }
}

/** Offset of the guest control registers in a state description. */
const SD_CR = SIE_SD.CR;

/** Big-endian fields of a state description in CP's copy of it. */
function get32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/** Exceptions that nullify: the old PSW points at the instruction (POP "Types of Instruction Ending"). */
function nullifies(code: number): boolean {
  return code === PGM.SEGMENT_TRANSLATION || code === PGM.PAGE_TRANSLATION;
}
