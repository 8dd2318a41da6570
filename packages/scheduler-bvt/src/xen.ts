/**
 * The Xen-facing face of BVT: Xen's historical sched_bvt (xen/common/
 * sched_bvt.c, 2004, removed 2006-08-23) named the paper's parameters
 * differently and counted in nanoseconds. This module speaks those names
 * and maps them onto {@link EntityParams} and {@link BvtOptions}:
 *
 * | Xen (`xm bvt`, `sched_adjdom`) | Duda & Cheriton | here |
 * |---|---|---|
 * | `mcu_advance` (inverse of weight, default 10) | m_i ∝ 1 / w_i | `weight = mcu / mcu_advance` |
 * | `warpback` (warp enabled) | warp_i | warp engages on wake when set |
 * | `warp` / `warpvalue` | W_i | `warp` (same virtual-time units as Xen's avt) |
 * | `warpl` (ns) | L_i | `warpLimit` |
 * | `warpu` (ns) | U_i | `unwarpRequirement` |
 * | `ctx_allow` (ns, default 5 ms) | C | `ctxAllow`, with the `'xen'` wake rule |
 * | `MCU` = 100 µs | minimum charging unit | `chargingUnit` |
 *
 * With `weight = mcu / mcu_advance` and charging rounded up to whole MCUs,
 * A advances by ⌈ran / MCU⌉ × mcu_advance exactly as Xen's avt does. Two
 * documented differences remain: Xen measures `warpl` as real time since the
 * wake that warped the domain while the paper (and this package) counts
 * running time; and Xen restarts the `warpu` clock only on a forced unwarp,
 * while here every unwarp (also the one at block) starts it.
 */
import { fail, ok, type Result } from './errors';
import { type BvtScheduler, createBvt } from './bvt';
import type { EntityParams } from './types';

/** Xen sched_bvt's constants, in nanoseconds where they are times. */
export const XEN_BVT = Object.freeze({
  /** Minimum charging unit: 100 µs. */
  MCU: 100_000,
  /** Default `mcu_advance` ("default weight"). */
  MCU_ADVANCE: 10,
  /** Default context-switch allowance: 5 ms. */
  CTX_ALLOW: 5_000_000,
  /** Default warp limit in Xen 2.0 and later: 2 s. */
  WARPL: 2_000_000_000,
  /** Default unwarp requirement in Xen 2.0 and later: 1 s. */
  WARPU: 1_000_000_000,
});

/** A domain's BVT parameters as `xm sched-bvt DOM mcuadv warpback warpvalue warpl warpu` set them. */
export interface XenBvtDomain {
  /** Virtual time charged per MCU of CPU: the inverse of the weight (> 0). */
  readonly mcu_advance?: number;
  /** Warping enabled (Xen 2.0 default: off). */
  readonly warpback?: boolean;
  /** Warp value in avt units. */
  readonly warp?: number;
  /** Warp limit, ns (0 disables warping, as in Xen). */
  readonly warpl?: number;
  /** Unwarp requirement, ns. */
  readonly warpu?: number;
  /** Domain name for traces. */
  readonly name?: string;
}

/** Scheduler-wide BVT control (`xm sched-bvt-ctxallow`). */
export interface XenBvtControl {
  /** Context-switch allowance, ns (default 5 ms). */
  readonly ctx_allow?: number;
  /** Minimum charging unit, ns (default 100 µs). */
  readonly mcu?: number;
}

/** Map Xen's per-domain BVT parameters onto {@link EntityParams} (see the module table). */
export function xenBvtParams(dom: XenBvtDomain, mcu: number = XEN_BVT.MCU): Result<EntityParams> {
  const adv = dom.mcu_advance ?? XEN_BVT.MCU_ADVANCE;
  if (!Number.isFinite(adv) || adv <= 0) {
    return fail(
      'WEIGHT_NOT_POSITIVE',
      `mcu_advance must be > 0 (Xen refuses 0), got ${adv}`,
      undefined,
      'mcu_advance',
    );
  }
  if (!Number.isFinite(mcu) || mcu <= 0)
    return fail('INVALID_OPTION', `mcu must be > 0, got ${mcu}`, undefined, 'mcu');
  const out: {
    name?: string;
    weight: number;
    warp?: number;
    warpLimit?: number;
    unwarpRequirement?: number;
  } = {
    weight: mcu / adv,
  };
  if (dom.name !== undefined) out.name = dom.name;
  const warp = dom.warp ?? 0;
  const warpl = dom.warpl ?? XEN_BVT.WARPL;
  if (dom.warpback === true && warp > 0 && warpl > 0) {
    out.warp = warp;
    out.warpLimit = warpl;
    out.unwarpRequirement = dom.warpu ?? XEN_BVT.WARPU;
  } else if (warp < 0) {
    return fail('NEGATIVE_WARP', `warp must be ≥ 0, got ${warp}`, undefined, 'warp');
  }
  return ok(out);
}

/**
 * A BVT scheduler configured as Xen's: time in nanoseconds, C = `ctx_allow`,
 * charging rounded up to whole MCUs, and Xen's wake rule (a running domain
 * keeps the CPU for at least `ctx_allow` after it was dispatched).
 */
export function createXenBvt(control: XenBvtControl = {}): Result<BvtScheduler> {
  return createBvt({
    ctxAllow: control.ctx_allow ?? XEN_BVT.CTX_ALLOW,
    chargingUnit: control.mcu ?? XEN_BVT.MCU,
    wakePreemption: 'xen',
  });
}

/**
 * Xen's `sched_adjdom` for BVT (`xm sched-bvt DOM ...`): set a domain's
 * parameters, given in Xen's names, on a scheduler made by {@link createXenBvt}.
 */
export function xenAdjdom(
  scheduler: BvtScheduler,
  domid: number,
  dom: XenBvtDomain,
  now: number,
  mcu: number = XEN_BVT.MCU,
): Result<void> {
  const p = xenBvtParams(dom, mcu);
  if (!p.ok) return p;
  return scheduler.setParams(domid, p.value, now);
}

/** Xen's `bvt_ctl` (`xm sched-bvt-ctxallow`): change the context-switch allowance. */
export function xenBvtCtl(scheduler: BvtScheduler, control: { readonly ctx_allow: number }): Result<void> {
  return scheduler.setCtxAllow(control.ctx_allow);
}
