// examples/hosted-kernel.ts: a kernel written in TypeScript, IPLed into a partition with iplKernel,
// sharing one physical CP by weight with a partition that runs guest machine code.
import type { AbsoluteAddress } from '@strachey/isa-core';
import {
  createPrsm,
  formatPrsmError,
  type KernelRunResult,
  type PartitionKernel,
  type PartitionResources,
  parseIocp,
  parseProfiles,
  type PrsmResult,
} from '@strachey/prsm';

const must = <T>(r: PrsmResult<T>): T => {
  if (!r.ok) throw new Error(formatPrsmError(r.error));
  return r.value;
};

/** Works 200 µs, sleeps 800 µs on a timer; counts its bursts in word 0 of its partition's storage. */
class Pulse implements PartitionKernel {
  readonly name = 'PULSE';
  readonly logicalCps = 1;
  private res: PartitionResources | null = null;
  private left = 0;
  private wakeAt = Number.POSITIVE_INFINITY;

  start(res: PartitionResources): string | null {
    this.res = res;
    this.left = 200 * res.costModel.mhz;
    return null; // a message here refuses the IPL
  }

  /** PR/SM dispatched logical CP `cp` for up to `cycles`: do the work, advancing the machine clock. */
  run(_cp: number, cycles: number): KernelRunResult {
    const { clock, storage, costModel } = this.res!;
    const n = Math.min(cycles, this.left);
    clock.advanceTo(clock.now() + n);
    this.left -= n;
    if (this.left > 0) return { wait: false }; // slice ended mid-burst: PR/SM queues it by weight
    storage.write32(0 as AbsoluteAddress, storage.read32(0 as AbsoluteAddress) + 1);
    this.left = 200 * costModel.mhz;
    this.wakeAt = clock.now() + 800 * costModel.mhz;
    return { wait: true }; // PR/SM releases the physical CP until ready() or nextWake()
  }

  ready(): boolean {
    return false; // no I/O: only its timer wakes it
  }

  nextWake(): number {
    return this.wakeAt;
  }
}

const deck = ' RESOURCE PARTITION=((KERN,1),(GUEST,2))\n';
const profiles = `
[CPC]
storage = 1G
cps     = 1
slice   = 1ms
[KERN]
storage = 64M
weight  = 50
[GUEST]
storage = 64M
weight  = 50
`;
const make = () =>
  must(createPrsm({ iocp: must(parseIocp(deck, 'deck')), profiles: must(parseProfiles(profiles, 'p')) }));
const prsm = make();
must(prsm.activate('KERN'));
must(prsm.activate('GUEST'));
must(prsm.iplKernel('KERN', new Pulse()));
must(prsm.ipl('GUEST', { source: "G START X'2000'\n BALR 12,0\n USING *,12\nL LA 1,1(1)\n B L\n END G\n" }));
prsm.run({ ms: 20 });

const c = prsm.counters().partitions;
const bursts = prsm.partitionStorage('KERN')!.read32(0 as AbsoluteAddress);
console.log(`KERN runs ${prsm.partition('KERN')!.kernel}: ${bursts} bursts, ${c.KERN!.releases.wait} waits`);
// Each wake-up waits for GUEST's 1 ms slice to end: about 1.4 ms per burst, not 1 ms.
console.log(
  `KERN ${(c.KERN!.cycles / 1e6).toFixed(1)} M cycles, GUEST ${(c.GUEST!.cycles / 1e6).toFixed(1)} M`,
);
// A hosted kernel's state is host code, not in the snapshot: a restore is refused.
const r = make().restore(prsm.snapshot());
console.log(r.ok ? 'restored' : formatPrsmError(r.error));
