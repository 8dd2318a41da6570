/**
 * The README example: the seed's machine from examples/seed.iocp and
 * examples/seed.profiles, every partition running a CPU-bound loop for
 * 100 ms of simulated time, then weights against measured shares.
 *
 * Run: npx tsx --conditions=@strachey/source examples/quickstart.ts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPrsm, formatPrsmError, parseIocp, parseProfiles, type PrsmResult } from '../src/index';

function must<T>(r: PrsmResult<T>): T {
  if (!r.ok) throw new Error(formatPrsmError(r.error));
  return r.value;
}

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

export function quickstart(ms = 100): Record<string, { weight: number; share: number }> {
  const iocp = must(parseIocp(readFileSync(here('seed.iocp'), 'utf8'), 'seed.iocp'));
  const profiles = must(parseProfiles(readFileSync(here('seed.profiles'), 'utf8'), 'seed.profiles'));
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
    must(prsm.activate(name));
    must(prsm.ipl(name, { source: loop, start: 'all' }));
  }
  prsm.run({ ms });
  const c = prsm.counters();
  const shared = ['MVS2', 'MVS3', 'MVS4', 'MVS5'];
  const total = shared.reduce((s, n) => s + c.partitions[n]!.cycles, 0);
  return Object.fromEntries(shared.map((n) => [n, { weight: prsm.partition(n)!.weight, share: c.partitions[n]!.cycles / total }]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(quickstart());
