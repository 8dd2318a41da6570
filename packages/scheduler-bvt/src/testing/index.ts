/**
 * @strachey/scheduler-bvt/testing — the Scheduler contract: the checks every
 * implementation of the interface must pass (BVT, round-robin, credit here;
 * PR/SM's weight-based dispatch or any downstream policy elsewhere), written
 * without a test framework so any runner can use them:
 * `for (const c of schedulerContract(make)) it(c.name, c.run)`.
 */
import type { Result } from '../errors';
import type { EntityId, Scheduler } from '../types';

/** One contract check: throws an Error describing the violation. */
export interface ContractCase {
  readonly name: string;
  readonly run: () => void;
}

function fail(message: string): never {
  throw new Error(`scheduler contract: ${message}`);
}

function must<T>(r: Result<T>, what: string): T {
  if (!r.ok) fail(`${what} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

function refused<T>(r: Result<T>, code: string, what: string): void {
  if (r.ok) fail(`${what} should be refused with ${code}, but succeeded`);
  if (r.error.code !== code) fail(`${what} should be refused with ${code}, got ${r.error.code}`);
}

/** Run a CPU-bound population for `decisions` decisions; returns the chosen ids. */
function churn(
  s: Scheduler,
  ids: readonly EntityId[],
  decisions: number,
  blockEvery = 0,
): (EntityId | null)[] {
  for (const id of ids) must(s.add(id, {}, 0), `add(${id})`);
  for (const id of ids) must(s.wake(id, 0), `wake(${id})`);
  const chosen: (EntityId | null)[] = [];
  const blocked: EntityId[] = [];
  let t = 0;
  for (let k = 0; k < decisions; k++) {
    const d = s.pick(t);
    chosen.push(d.id);
    if (d.id === null) {
      t += 1;
      continue;
    }
    const ran = Math.min(d.slice, 1);
    t += ran;
    must(s.account(d.id, ran, t), `account(${d.id})`);
    if (blockEvery > 0 && k % blockEvery === blockEvery - 1) {
      must(s.block(d.id, t), `block(${d.id})`);
      blocked.push(d.id);
      if (blocked.length > 1) must(s.wake(blocked.shift()!, t), 'wake');
    }
  }
  return chosen;
}

/**
 * The Scheduler contract (for parameters `{}`: weight 1, no warp, no cap):
 * 1. an empty scheduler idles; a decision's `until` is ≥ now and `slice` = until − now;
 * 2. only runnable entities are chosen, and one is chosen whenever any is runnable;
 * 3. `running()`, `info()` and `entities()` agree with the decisions, in add order;
 * 4. nobody starves: each of five equal CPU-bound entities runs within 50 decisions;
 * 5. equal entities get equal CPU over a long run (within one decision's worth each);
 * 6. bad input comes back as error values (DUPLICATE_ID, UNKNOWN_ID, NOT_RUNNABLE,
 *    NOT_RUNNING, OVERCHARGE, TIME_WENT_BACKWARDS) and changes nothing;
 * 7. the same calls give the same decisions;
 * 8. a removed entity is never chosen again.
 */
export function schedulerContract(make: () => Scheduler): ContractCase[] {
  return [
    {
      name: 'idles when empty and returns consistent decisions',
      run: () => {
        const s = make();
        if (typeof s.policy !== 'string' || s.policy.length === 0) fail('policy must be a non-empty string');
        const d = s.pick(0);
        if (d.id !== null) fail(`an empty scheduler chose ${d.id}`);
        must(s.add(1, {}, 0), 'add');
        must(s.wake(1, 0), 'wake');
        const e = s.pick(0);
        if (e.id !== 1) fail(`the only runnable entity was not chosen (got ${e.id})`);
        if (!(e.until >= 0) || e.slice !== e.until - 0)
          fail(`until ${e.until} / slice ${e.slice} inconsistent`);
      },
    },
    {
      name: 'chooses only runnable entities, and one whenever any is runnable',
      run: () => {
        const s = make();
        const ids = [3, 1, 4, 5, 9];
        for (const id of ids) must(s.add(id, {}, 0), `add(${id})`);
        must(s.wake(4, 0), 'wake');
        must(s.wake(9, 0), 'wake');
        let t = 0;
        for (let k = 0; k < 40; k++) {
          const d = s.pick(t);
          const runnable = s.entities().filter((e) => e.runnable);
          if (d.id === null) {
            if (runnable.length > 0) fail(`idled at ${t} with ${runnable.length} runnable entities`);
          } else if (!runnable.some((e) => e.id === d.id)) {
            fail(`chose ${d.id}, which is not runnable`);
          }
          t += 1;
          if (d.id !== null) must(s.account(d.id, 1, t), 'account');
          if (k === 10 && d.id !== null) must(s.block(d.id, t), 'block');
          if (k === 20) must(s.wake(3, t), 'wake(3)');
        }
      },
    },
    {
      name: 'running(), info() and entities() agree with the decisions',
      run: () => {
        const s = make();
        for (const id of [7, 2, 5]) must(s.add(id, { name: `e${id}` }, 0), 'add');
        if (
          s
            .entities()
            .map((e) => e.id)
            .join() !== '7,2,5'
        )
          fail('entities() is not in add order');
        must(s.wake(2, 0), 'wake');
        const d = s.pick(0);
        if (s.running() !== d.id) fail(`running() = ${s.running()} but the decision chose ${d.id}`);
        const info = s.info(2);
        if (info === undefined || !info.running || !info.runnable || info.params.name !== 'e2') {
          fail(`info(2) = ${JSON.stringify(info)}`);
        }
        must(s.account(2, 1, 1), 'account');
        if (s.info(2)?.runtime !== 1) fail('runtime does not add up the charged time');
        must(s.block(2, 1), 'block');
        if (s.running() !== null || s.info(2)?.runnable !== false) fail('a blocked entity still runs');
      },
    },
    {
      name: 'starves nobody: five equal CPU-bound entities each run within 50 decisions',
      run: () => {
        const chosen = churn(make(), [1, 2, 3, 4, 5], 50);
        for (const id of [1, 2, 3, 4, 5])
          if (!chosen.includes(id)) fail(`entity ${id} never ran in 50 decisions`);
      },
    },
    {
      name: 'gives equal entities equal CPU over a long run',
      run: () => {
        const s = make();
        churn(s, [1, 2, 3], 3000);
        const cpu = s.entities().map((e) => e.runtime);
        const spread = Math.max(...cpu) - Math.min(...cpu);
        // Decisions here last at most 1 unit; allow a few per entity of slack.
        if (spread > 6) fail(`CPU of equal entities differs by ${spread}: ${cpu.join(', ')}`);
      },
    },
    {
      name: 'returns error values for bad calls and changes nothing',
      run: () => {
        const s = make();
        must(s.add(1, {}, 5), 'add');
        must(s.add(2, {}, 5), 'add');
        refused(s.add(1, {}, 5), 'DUPLICATE_ID', 'a second add(1)');
        refused(s.wake(99, 5), 'UNKNOWN_ID', 'wake(99)');
        refused(s.block(2, 5), 'NOT_RUNNABLE', 'block of a blocked entity');
        must(s.wake(1, 5), 'wake');
        const d = s.pick(5);
        if (d.id !== 1) fail('entity 1 should run');
        refused(s.account(2, 1, 6), 'NOT_RUNNING', 'account of a waiting entity');
        refused(s.account(1, 5, 6), 'OVERCHARGE', 'charging more than passed');
        refused(s.wake(2, 4), 'TIME_WENT_BACKWARDS', 'wake in the past');
        if (s.entities().length !== 2 || s.running() !== 1) fail('a refused call changed the state');
      },
    },
    {
      name: 'is deterministic: the same calls give the same decisions',
      run: () => {
        const a = churn(make(), [1, 2, 3, 4], 300, 7);
        const b = churn(make(), [1, 2, 3, 4], 300, 7);
        if (a.join() !== b.join()) fail('two identical runs chose differently');
      },
    },
    {
      name: 'never chooses a removed entity',
      run: () => {
        const s = make();
        for (const id of [1, 2, 3]) must(s.add(id, {}, 0), 'add');
        for (const id of [1, 2, 3]) must(s.wake(id, 0), 'wake');
        let t = 0;
        const first = s.pick(t);
        must(s.remove(2, t), 'remove(2)');
        if (s.info(2) !== undefined) fail('info() still knows a removed entity');
        if (first.id === 2 && s.running() !== null) fail('a removed running entity still runs');
        for (let k = 0; k < 30; k++) {
          const d = s.pick(t);
          if (d.id === 2) fail('chose a removed entity');
          t += 1;
          if (d.id !== null) must(s.account(d.id, 1, t), 'account');
        }
      },
    },
  ];
}
