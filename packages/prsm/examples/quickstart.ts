// examples/quickstart.ts: the seed's machine (examples/seed.iocp, examples/seed.profiles), every
// partition running a CPU-bound loop for 100 ms of simulated time, configured weights against shares.
import { readFileSync } from 'node:fs';
import { createPrsm, formatPrsmError, parseIocp, parseProfiles, type PrsmResult } from '@strachey/prsm';

const must = <T>(r: PrsmResult<T>): T => {
  if (!r.ok) throw new Error(formatPrsmError(r.error)); // "seed.profiles:14:10: error BAD_VALUE: ..."
  return r.value;
};
const read = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');
const iocp = must(parseIocp(read('seed.iocp'), 'seed.iocp'));
const profiles = must(parseProfiles(read('seed.profiles'), 'seed.profiles'));
const prsm = must(createPrsm({ iocp, profiles }));

const loop = `
LOOP     START X'2000'
         BALR  12,0
         USING *,12
AGAIN    LA    1,1(1)
         B     AGAIN
         END   LOOP
`;
for (const name of prsm.partitionNames) {
  must(prsm.activate(name)); // storage, logical CPs, its image of the channel subsystem
  must(prsm.ipl(name, { source: loop, start: 'all' })); // restart PSW at real 0, every logical CP
}
prsm.run({ ms: 100 });

const c = prsm.counters();
const shared = prsm.partitionNames.filter((n) => !prsm.partition(n)!.dedicated);
const sharedCycles = shared.reduce((sum, n) => sum + c.partitions[n]!.cycles, 0);
for (const name of prsm.partitionNames) {
  const p = prsm.partition(name)!;
  const used = c.partitions[name]!.cycles;
  const cpu = p.dedicated
    ? `${p.cps} dedicated CPs, ${(used / c.time).toFixed(2)} CPs used`
    : `weight ${p.weight}${p.capped ? ' capped' : ''}, ${((100 * used) / sharedCycles).toFixed(1)} % of the shared CPs`;
  console.log(`${name}  ${p.mode} ${p.storage >>> 20} MB  ${cpu}  (${p.counters.dispatches} dispatches)`);
}
const overhead = (100 * c.overheadCycles) / (c.overheadCycles + c.busyCycles);
console.log(`PR/SM overhead ${overhead.toFixed(2)} % in ${c.time / prsm.costModel.mhz / 1000} ms`);
