/**
 * CP as the kernel of a PR/SM partition: the adapter between prsm's
 * `PartitionKernel` (hosted.ts) and hypervisor-cp's `ControlProgram`. At
 * IPL, CP is created on the partition's resources — its real storage is
 * the partition's, its clock the machine's, its real DASD the partition's
 * 3390s — and from then on it runs only when PR/SM dispatches the
 * partition's logical CP; when every virtual machine waits, CP gives the
 * logical CP back ('wait'), and PR/SM makes it ready again when a real I/O
 * interruption arrives on the partition's subchannels or a virtual timer
 * is due.
 */
import type { ControlProgram, CpOptions, CpPartition } from '@strachey/hypervisor-cp';
import { createCp } from '@strachey/hypervisor-cp';
import { Dasd3390 } from '@strachey/io-channel';
import type { KernelRunResult, PartitionKernel, PartitionResources } from '@strachey/prsm';

/** What CP needs besides the partition: its directory and volumes (at device numbers of the partition). */
export type HostedCpOptions = Omit<CpOptions, 'partition' | 'costModel' | 'volumes'> & {
  readonly volumes: readonly { readonly volser: string; readonly devnum: number }[];
  /**
   * Called after every run of CP, outside CP's dispatcher: where the demo's
   * operator logs on and off (a LOGON from inside an I/O completion would
   * change CP's user table while CP dispatches).
   */
  readonly between?: () => void;
};

/** CP hosted in a partition; `cp` exists after the IPL. */
export class HostedCp implements PartitionKernel {
  readonly name = 'CP';
  /** CP dispatches its virtual CPUs on one real CPU. */
  readonly logicalCps = 1;
  cp: ControlProgram | null = null;
  /** Set after the IPL: called once, with CP, so the caller can log users on. */
  private readonly onStart: (cp: ControlProgram) => void;

  constructor(
    private readonly options: HostedCpOptions,
    onStart: (cp: ControlProgram) => void,
  ) {
    this.onStart = onStart;
  }

  start(res: PartitionResources): string | null {
    const volumes = [];
    for (const v of this.options.volumes) {
      const volume = res.volume(v.devnum);
      if (volume === undefined)
        return `no 3390 at ${v.devnum.toString(16).toUpperCase().padStart(4, '0')} in partition ${res.partition}`;
      volumes.push({ volser: v.volser, devnum: v.devnum, volume });
    }
    const partition: CpPartition = {
      storage: res.storage,
      machineStorage: res.machineStorage,
      relocation: res.relocation,
      clock: res.clock,
      channels: {
        io: res.io,
        subchannelOf: (d) => res.subchannelOf(d),
        dasd: (d) => {
          const dev = res.device(d);
          return dev instanceof Dasd3390 ? dev : undefined;
        },
      },
    };
    const { between: _between, ...options } = this.options;
    const r = createCp({ ...options, volumes, costModel: res.costModel, partition });
    if (!r.ok) return r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('; ');
    this.cp = r.cp;
    this.onStart(r.cp);
    return null;
  }

  run(_cp: number, cycles: number): KernelRunResult {
    const cp = this.cp!;
    const before = this.instructions();
    const r = cp.run(cycles);
    this.options.between?.();
    // What `between` did (users logged on) may have given CP work again: then it keeps the logical CP.
    return { wait: r.reason !== 'budget' && !cp.hasWork(), instructions: this.instructions() - before };
  }

  ready(): boolean {
    return this.cp!.hasWork();
  }

  nextWake(): number {
    return this.cp!.nextWake();
  }

  /** Guest instructions of every logged-on user so far. */
  private instructions(): number {
    let n = 0;
    for (const id of this.cp!.users()) n += this.cp!.vm(id)?.counters.instructions ?? 0;
    return n;
  }
}
