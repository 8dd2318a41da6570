/**
 * A kernel PR/SM hosts in a partition that is not guest machine code: a
 * host-side operating system written in TypeScript, such as hypervisor-cp's
 * Control Program, which runs its own guests on CPUs it builds itself. The
 * seed's PR/SM IPLs "CP itself with its own guests" into an LPAR; in this
 * simulator CP is host code (00-overview decision 1), so the partition
 * gives it what an OS in an LPAR has — its real storage contiguous from 0,
 * its logical CPs, the machine's one clock and its image of the channel
 * subsystem — and runs it only when the dispatcher gives one of its logical
 * CPs a physical CP.
 *
 * The contract:
 * - `start(resources)` at IPL. The kernel keeps the resources; its guests'
 *   CPUs index `machineStorage` through their own layers composed with
 *   `relocation`, so nothing they do reaches outside the partition (the
 *   zone limit or block table bounds every address, as for a bare OS).
 * - `run(cp, cycles)` when the dispatcher has bound logical CP `cp` to a
 *   physical CP: the kernel runs from the clock's current time for about
 *   `cycles`, advancing the machine clock itself as its work takes
 *   simulated time (it may overrun by its own dispatching granularity). It
 *   answers whether the logical CP now waits: PR/SM then releases it (the
 *   seed's "an OS that enters a wait state releases its CPU") and makes it
 *   ready again when `ready(cp)` turns true (an I/O interruption arrived on
 *   the partition's subchannels, the operator gave a user input) or at
 *   `nextWake(cp)` (a timer).
 * - Nothing runs otherwise: a hosted kernel never advances the clock while
 *   its logical CP is not dispatched.
 * - When PR/SM asks: `ready(cp)` and `nextWake(cp)` of a waiting logical CP
 *   only when something may have changed the answer — the logical CP has
 *   just released to wait, an I/O interruption became pending for the
 *   partition's image, another logical CP of the kernel ran, and once at
 *   the start and end of every `Prsm.run` (input a caller gave between
 *   runs) — never once per dispatcher decision or chunk, so a kernel whose
 *   answer costs a walk over thousands of users is not walked all the
 *   time. Between questions PR/SM trusts the last `nextWake`. So `ready`
 *   must turn true only through those events, and a wake-up by time must
 *   be reported by `nextWake`. A listener the kernel sets on `io` is
 *   called after PR/SM's own.
 *
 * A hosted kernel is trusted host code, like the firmware itself: isolation
 * is enforced on the guest code it runs (every CPU it builds goes through
 * `relocation`), not on the TypeScript. Its state is not part of a PR/SM
 * snapshot: `Prsm.restore` refuses a snapshot taken while a partition hosted
 * a kernel (snapshot the kernel itself, e.g. `ControlProgram.snapshot`).
 */
import type {
  CostModel,
  IoHandler,
  SimClock,
  SparseStorage,
  StoragePort,
  Translator,
} from '@strachey/isa-core';
import type { CkdVolume, Device } from '@strachey/io-channel';

/** What a partition gives the kernel hosted in it; see the file comment. */
export interface PartitionResources {
  /** Partition name (RESOURCE PARTITION=). */
  readonly partition: string;
  /** The partition's real storage as its OS addresses it: contiguous from 0, relocated by the zone or block table. */
  readonly storage: StoragePort;
  /** The machine's physical storage, which the CPUs a kernel builds index (through `relocation`). */
  readonly machineStorage: SparseStorage;
  /** Partition real → machine absolute: the zone origin/limit or the block table. Faults beyond the partition. */
  readonly relocation: Translator;
  /** The machine's one simulated clock. */
  readonly clock: SimClock;
  readonly costModel: CostModel;
  /** Number of logical CPs the partition has (the kernel may use fewer; the others stay stopped). */
  readonly logicalCps: number;
  /** The partition's image of the channel subsystem: I/O instructions and interruptions of its subchannels. */
  readonly io: IoHandler;
  /** Subchannel number of a device the partition reaches (IOCP), or undefined. */
  subchannelOf(deviceNumber: number): number | undefined;
  /** The device model at a device number of the partition, or undefined. */
  device(deviceNumber: number): Device | undefined;
  /** The 3390 volume behind a DASD device number of the partition, or undefined. */
  volume(deviceNumber: number): CkdVolume | undefined;
}

/** What `PartitionKernel.run` answers. */
export interface KernelRunResult {
  /** The logical CP has nothing to do: release it until `ready` or `nextWake`. */
  readonly wait: boolean;
  /** The kernel stopped for good on this logical CP (it ended, or check-stopped). */
  readonly stopped?: boolean;
  /** Instructions its guests executed in this run (for the partition's counters). */
  readonly instructions?: number;
}

/** A kernel PR/SM hosts in a partition; see the file comment. */
export interface PartitionKernel {
  /** What it is ("CP"), for reports. */
  readonly name: string;
  /** Logical CPs it runs on (from CPU address 0); at most the partition's. */
  readonly logicalCps: number;
  /** IPL: take the partition's resources. An error message refuses the IPL. */
  start(resources: PartitionResources): string | null;
  /** Run logical CP `cp` for about `cycles` of simulated time, advancing the machine clock as it goes. */
  run(cp: number, cycles: number): KernelRunResult;
  /** Whether a waiting logical CP has work now (an interruption pending, input arrived). */
  ready(cp: number): boolean;
  /** The earliest clock time a waiting logical CP wants to run (a timer), or Infinity. */
  nextWake(cp: number): number;
}
