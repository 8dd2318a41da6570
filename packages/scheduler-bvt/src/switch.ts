/**
 * Switching policy at run time — Xen's separation of mechanism from policy:
 * the dispatcher stays, the algorithm that shares the CPU is replaced, and
 * no entity is lost. Entities move with their parameters and their
 * runnable/blocked state; policy-private state (virtual times, credit) is not
 * portable and starts afresh in the new policy (under BVT every newcomer
 * starts at SVT, so nobody gains or loses by the switch).
 */
import { fail, ok, type Result } from './errors';
import type { Scheduler } from './types';

/**
 * Move every entity of `from` into the empty scheduler `to` at time `now`,
 * in the order they were added, and return `to`. The running entity (charge
 * it first) becomes an ordinary runnable entity; the dispatcher must `pick`
 * on `to` next. `from` is left untouched, so a failed switch loses nothing.
 */
export function switchPolicy(from: Scheduler, to: Scheduler, now: number): Result<Scheduler> {
  if (to.entities().length > 0) {
    return fail('NOT_EMPTY', `the ${to.policy} scheduler to switch to already has entities`);
  }
  for (const e of from.entities()) {
    const a = to.add(e.id, e.params, now);
    if (!a.ok) return a;
    if (e.runnable) {
      const w = to.wake(e.id, now);
      if (!w.ok) return w;
    }
  }
  return ok(to);
}
