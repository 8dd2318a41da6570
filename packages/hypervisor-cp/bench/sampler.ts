/**
 * A sampling process of `hostSpeed` (bench/workloads.ts): one host-speed
 * workload, sampled when the parent asks, in a V8 heap of its own.
 */
import { serveSamples } from './workloads';

serveSamples();
