/**
 * Run one MINIKERN host-speed workload of run.ts in this process for a V8 CPU
 * profile, and summarise the profile's self time per function inside the
 * timed runs only (not the machine building between them):
 *
 *   node --cpu-prof --cpu-prof-dir=DIR --import tsx --conditions=@strachey/source bench/profile-minikern.ts sie 5 DIR
 *   node --import tsx bench/profile-minikern.ts --summary DIR [rows]
 *   node --import tsx --conditions=@strachey/source bench/profile-minikern.ts --ratio [rounds] [long] [large]
 *
 * Styles: `bare`, `sie`, `trap-and-emulate` (add `long` after the seconds
 * for the long MINIKERN). The run prints its CPU microseconds per run and
 * writes the timed intervals (process.hrtime, the clock V8's profile
 * timestamps use) to DIR/intervals.json.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function summary(dir: string, rows: number): void {
  const intervals = JSON.parse(readFileSync(join(dir, 'intervals.json'), 'utf8')) as [number, number][];
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()[0];
  if (file === undefined) throw new Error(`no profile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = profile.startTime;
  let k = 0;
  let inside = 0;
  let outside = 0;
  for (const [i, id] of profile.samples.entries()) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    while (k < intervals.length && intervals[k]![1] < t) k++;
    const iv = intervals[k];
    if (iv === undefined || t < iv[0]) {
      outside += dt;
      continue;
    }
    inside += dt;
    const n = byId.get(id)!;
    const where = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  console.log(
    `${file}: ${(inside / 1e6).toFixed(2)} s sampled in timed runs, ${(outside / 1e6).toFixed(2)} s outside; ${intervals.length} runs, ${(inside / intervals.length).toFixed(1)} us per run`,
  );
  for (const [key, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows))
    console.log(
      `${((v / inside) * 100).toFixed(1).padStart(6)} % ${(v / intervals.length).toFixed(1).padStart(7)} us  ${key}`,
    );
}

if (process.argv[2] === '--summary') {
  summary(process.argv[3]!, Number(process.argv[4] ?? 40));
} else if (process.argv[2] === '--ratio') {
  // The short MINIKERN's rows of run.ts alone: bare and SIE sampled as there (interleaved rounds, CPU time).
  const { hostSpeed, ratio, median } = await import('./workloads');
  const rounds = Number(process.argv[3] ?? 11);
  const long = process.argv.includes('long');
  const large = process.argv.includes('large');
  const key = (style: string) => `${long ? 'long' : 'minikern'}:${style}${large ? ':large' : ''}`;
  const [bare, sie] = await hostSpeed(
    [
      ['bare', key('bare')],
      ['sie', key('sie')],
    ],
    rounds,
    0.3,
  );
  const m = (x: { samples: number[] }) => (median(x.samples) / 1e6).toFixed(1);
  console.log(
    `${long ? 'long ' : ''}MINIKERN${large ? ' (CP on 64 MB and a 3390-1)' : ''} bare ${m(bare!)} M/s, SIE ${m(sie!)} M/s, SIE/bare ${ratio(sie!, bare!).toFixed(3)} (per-round ${sie!.samples.map((x, i) => (x / bare!.samples[i]!).toFixed(2)).join(' ')})`,
  );
} else {
  const { workloads } = await import('./workloads');
  const style = (process.argv[2] ?? 'sie') as 'bare' | 'sie' | 'trap-and-emulate';
  const seconds = Number(process.argv[3] ?? 3);
  const long = process.argv[4] === 'long';
  const dir = process.argv[long ? 5 : 4];
  const work = workloads(long)[style];
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const micros = (): number => Number(process.hrtime.bigint() / 1000n);
  const intervals: [number, number][] = [];
  let timed = 0;
  let runs = 0;
  let units = 0;
  while (timed < seconds) {
    const run = work();
    const t0 = cpuNow();
    const w0 = micros();
    units += run();
    intervals.push([w0, micros()]);
    timed += cpuNow() - t0;
    runs++;
  }
  console.log(
    `${style}${long ? ' long' : ''}: ${runs} runs, ${((1e6 * timed) / runs).toFixed(1)} us CPU per run, ${Math.round(units / runs)} instructions per run, ${(units / timed / 1e6).toFixed(1)} M guest instr/s`,
  );
  if (dir !== undefined) writeFileSync(join(dir, 'intervals.json'), JSON.stringify(intervals));
}
