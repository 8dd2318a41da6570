/**
 * Summarise a V8 CPU profile by self time per function, the way the host-speed gaps in the
 * README were found:
 *
 *   node --cpu-prof --cpu-prof-dir=DIR --import tsx --conditions=@strachey/source bench/profile-one.ts 5
 *   tsx bench/self-time.ts DIR [rows]
 *
 * (Every profile in DIR is summarised.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: tsx bench/self-time.ts DIR [rows]');
  process.exit(2);
}
const rows = Number(process.argv[3] ?? 20);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const timeOf = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const t = timeOf.get(n.id) ?? 0;
    total += t;
    const where = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
    self.set(key, (self.get(key) ?? 0) + t);
  }
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(6)} %  ${key}`);
  }
}
