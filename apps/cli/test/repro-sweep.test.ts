/**
 * Sweeps: points run on worker threads (tinypool, loading the TypeScript
 * sources), `--shard I/N` runs exactly its share and writes a partial
 * result file, and `repro merge` turns a complete set of shards into the
 * same bytes a single run writes — and refuses sets that are incomplete or
 * come from different sweeps, saying which file and why.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runRepro } from '../src/commands/repro';
import { UserError } from '../src/diagnostics';
import { findReproduction } from '../src/repro/registry';
import { pointSeed } from '../src/repro/seeds';
import { planSweep, shardPoints } from '../src/repro/sweep';

const root = mkdtempSync(join(tmpdir(), 'strachey-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dir = (): string => join(root, `d${n++}`);

function quiet(): { out: string[]; err: string[]; io: { out(t: string): void; err(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t) } };
}

async function refusal(p: Promise<void>): Promise<{ code: string; file?: string; message: string }> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).diagnostics[0]!;
  }
  throw new Error('expected a refusal');
}

const NAME = 'shadow-vs-nested';

describe('sweep plans and shards', () => {
  it('a point’s seed depends only on the sweep seed and its index', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(1000), (s, i) => {
        expect(pointSeed(s, i)).toBe(pointSeed(s, i));
        expect(pointSeed(s, i)).not.toBe(pointSeed(s, i + 1));
      }),
    );
    const sweep = findReproduction(NAME)!.sweep!;
    expect(planSweep(NAME, sweep, 'quick', 7)).toEqual(planSweep(NAME, sweep, 'quick', 7));
    expect(planSweep(NAME, sweep, 'quick', 7).fingerprint).not.toBe(
      planSweep(NAME, sweep, 'quick', 8).fingerprint,
    );
  });

  it('the shards of any N partition the points', () => {
    const plan = planSweep(NAME, findReproduction(NAME)!.sweep!, 'full');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (count) => {
        const all = Array.from({ length: count }, (_, i) =>
          shardPoints(plan, { index: i + 1, count }).map((p) => p.index),
        ).flat();
        expect(all.sort((a, b) => a - b)).toEqual(plan.points.map((p) => p.index));
      }),
    );
  });
});

describe('strachey repro merge', () => {
  const single = dir();
  const shardDirs = [dir(), dir(), dir()];
  const merged = dir();

  it('runs a sweep on worker threads and writes the figure', async () => {
    const c = quiet();
    await runRepro(NAME, { quick: true, workers: 2, out: single, json: true }, c.io);
    const j = JSON.parse(c.out.join('')) as { coldWalkReferences: number };
    expect(j.coldWalkReferences).toBe(24);
    expect(readdirSync(single).sort()).toEqual([`${NAME}.csv`, `${NAME}.json`, `${NAME}.svg`]);
  }, 120_000);

  it('three shards on "three machines", merged, equal the single run byte for byte', async () => {
    for (let i = 0; i < 3; i++) {
      const c = quiet();
      await runRepro(
        NAME,
        { quick: true, workers: 1, shard: `${i + 1}/3`, out: shardDirs[i]!, json: true },
        c.io,
      );
      const s = JSON.parse(c.out.join('')) as { ran: number[]; file: string };
      expect(s.ran.every((x) => x % 3 === i)).toBe(true);
      expect(readdirSync(shardDirs[i]!)).toEqual([`${NAME}.shard-${i + 1}-of-3.json`]);
    }
    const c = quiet();
    await runRepro('merge', { out: merged }, c.io, shardDirs);
    expect(c.out.join('')).toContain('nested paging wins from');
    for (const f of [`${NAME}.json`, `${NAME}.csv`, `${NAME}.svg`]) {
      expect(readFileSync(join(merged, f), 'utf8')).toBe(readFileSync(join(single, f), 'utf8'));
    }
  }, 120_000);

  it('refuses an incomplete set, naming the missing shard', async () => {
    const d = await refusal(runRepro('merge', { out: dir() }, quiet().io, [shardDirs[0]!, shardDirs[2]!]));
    expect(d.code).toBe('INCOMPLETE_SHARDS');
    expect(d.message).toContain('have shards 1, 3 of 3; missing 2/3');
  });

  it('refuses a shard given twice', async () => {
    const copy = dir();
    await runRepro(NAME, { quick: true, workers: 1, shard: '1/3', out: copy }, quiet().io);
    const d = await refusal(runRepro('merge', {}, quiet().io, [...shardDirs, copy]));
    expect(d.code).toBe('DUPLICATE_SHARD');
    expect(d.file).toBe(join(copy, `${NAME}.shard-1-of-3.json`));
  });

  it('refuses shards of another sweep (another seed), naming both files', async () => {
    const other = dir();
    await runRepro(NAME, { quick: true, workers: 1, shard: '2/3', seed: 2, out: other }, quiet().io);
    const d = await refusal(runRepro('merge', {}, quiet().io, [shardDirs[0]!, other, shardDirs[2]!]));
    expect(d.code).toBe('SHARD_MISMATCH');
    expect(d.message).toContain('sweepSeed is 2 but 1 in');
  });

  it('refuses a shard whose points were altered', async () => {
    const bad = dir();
    await runRepro(NAME, { quick: true, workers: 1, shard: '2/3', out: bad }, quiet().io);
    const file = join(bad, `${NAME}.shard-2-of-3.json`);
    const s = JSON.parse(readFileSync(file, 'utf8')) as {
      results: { params: { remapsPerThousand?: number } }[];
    };
    s.results[0]!.params.remapsPerThousand = 3;
    writeFileSync(file, JSON.stringify(s));
    const d = await refusal(runRepro('merge', {}, quiet().io, [shardDirs[0]!, bad, shardDirs[2]!]));
    expect(d).toMatchObject({ code: 'SHARD_POINTS_MISMATCH', file });
  });

  it('shows a progress line on a terminal and none under --json', async () => {
    const drawn: string[] = [];
    const tty = { isTTY: true, columns: 100, write: (t: string) => drawn.push(t) };
    const c = quiet();
    await runRepro(NAME, { quick: true, workers: 1, shard: '1/6', out: dir() }, { ...c.io, status: tty });
    expect(drawn.join('')).toContain(`${NAME} shard 1/6: 0/1 points`);
    expect(drawn.join('')).toContain('1/1 points (last: process creation)');
    expect(drawn.at(-1)).toBe('\r\x1b[2K');
    drawn.length = 0;
    await runRepro(
      NAME,
      { quick: true, workers: 1, shard: '1/6', out: dir(), json: true },
      { ...c.io, status: tty },
    );
    expect(drawn).toEqual([]);
  });

  it('refuses bad options precisely', async () => {
    expect((await refusal(runRepro(NAME, { shard: '1/3' }, quiet().io))).code).toBe('SHARD_NEEDS_OUT');
    expect((await refusal(runRepro(NAME, { shard: '4/3', out: dir() }, quiet().io))).message).toContain(
      "found '4/3'",
    );
    expect((await refusal(runRepro(NAME, { workers: '0' }, quiet().io))).code).toBe('BAD_OPTION');
    const notASweep = await refusal(runRepro('bvt-latency', { shard: '1/2', out: dir() }, quiet().io));
    expect(notASweep.code).toBe('NOT_A_SWEEP');
    expect(notASweep.message).toMatch(/^bvt-latency is not a sweep: --shard applies only to smp-scaling, /);
    expect((await refusal(runRepro('bvt-latency', { shard: '1/2', seed: '3', out: dir() }, quiet().io))).message).toMatch(
      /--shard, --seed apply only to /,
    );
    expect((await refusal(runRepro('merge', {}, quiet().io, [dir()]))).code).toBe('FILE_NOT_READABLE');
    const empty = mkdtempSync(join(root, 'empty-'));
    expect((await refusal(runRepro('merge', {}, quiet().io, [empty]))).code).toBe('NO_SHARDS');
    expect((await refusal(runRepro('bt-vs-hw', {}, quiet().io))).code).toBe('NOT_YET_SUPPORTED');
  });
});
