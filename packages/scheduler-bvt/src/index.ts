/**
 * @strachey/scheduler-bvt — Borrowed Virtual Time (Duda & Cheriton, SOSP
 * 1999) and its baselines (round-robin, Xen-style credit) behind one small
 * Scheduler interface, a discrete-event driver, schedule traces with
 * statistics, Chrome/Perfetto trace-event export and an SVG Gantt chart.
 * This file is the package's whole public API.
 */
export * from './errors';
export type * from './types';
export { type BvtEntityState, type BvtOptions, BvtScheduler, createBvt, type WakePreemption } from './bvt';
export { createRoundRobin, type RoundRobinOptions, RoundRobinScheduler } from './round-robin';
export { type CreditOptions, CreditScheduler, createCredit } from './credit';
export { switchPolicy } from './switch';
export * from './simulate';
export * from './trace';
export * from './trace-events';
export * from './gantt';
export * from './xen';
export * from './examples';
