/**
 * Snapshot and restore of ESA/390 CPUs and machines: plain, versioned,
 * JSON-safe objects (numbers, strings, arrays), so a snapshot can be written
 * to a file, sent over a wire and restored in another process with the same
 * behaviour afterwards.
 *
 * A CPU snapshot holds the complete architected and simulation state: PSW,
 * general and control registers, prefix, run state, counters, clock
 * comparator and CPU timer, the raw pending interruption conditions and SIGP
 * signals, and the CPU's local time. A machine snapshot adds the allocated
 * storage frames (base64), the storage keys and the machine time.
 *
 * Not included: host configuration (interception policy, breakpoints, trace
 * hook, DAT port, I/O handler) and events scheduled on the clock by devices —
 * the channel subsystem snapshots its own state.
 */
import type { AbsoluteAddress } from '../framework/addresses';
import { FRAME_SHIFT, FRAME_SIZE } from '../framework/storage';
import type { Esa390Cpu, Esa390CpuState } from './cpu';
import type { Esa390Machine } from './machine';
import { refreshPending } from './system/interrupts';
import { type Esa390InterruptionCounts, systemOf } from './system/state';
import { updateTimers } from './system/timing';

/** Version of the snapshot format this code writes and reads. */
export const ESA390_SNAPSHOT_VERSION = 1;

/** A CPU's complete state; see the file comment. */
export interface Esa390CpuSnapshot {
  readonly kind: 'esa390-cpu';
  readonly version: number;
  readonly id: number;
  /** The PSW as its two architected words (unsigned). */
  readonly psw: readonly [number, number];
  readonly gpr: readonly number[];
  readonly cr: readonly number[];
  readonly prefix: number;
  readonly state: Esa390CpuState;
  readonly checkStopReason: string;
  readonly instructions: number;
  readonly cycles: number;
  /** Translation-exception identification of the last translation fault. */
  readonly tea: number;
  /** An invalid PSW made current and not yet reported (early exception pending), as two words, or null. */
  readonly invalidPsw: readonly [number, number] | null;
  /** Local time = cycles + skew (cycles). */
  readonly skew: number;
  /** Clock comparator, two words. */
  readonly clockComparator: readonly [number, number];
  /** CPU-timer value in microseconds at local time `cpuTimerSetAt`. */
  readonly cpuTimer: number;
  readonly cpuTimerSetAt: number;
  /** Raw pending conditions (system/state.ts PENDING bits). */
  readonly pending: number;
  readonly externalCallFrom: number;
  /** Indexes (in the configuration) of CPUs with an emergency signal pending here. */
  readonly emergencyFrom: readonly number[];
  /** CR6 value under which the channel subsystem last had no interruption for this CPU, or null. */
  readonly ioBlockedCr6: number | null;
  /** Interruptions taken so far, by class. */
  readonly interruptions: Readonly<Esa390InterruptionCounts>;
}

/** A machine's complete state: CPUs, storage frames and keys, time. */
export interface Esa390MachineSnapshot {
  readonly kind: 'esa390-machine';
  readonly version: number;
  readonly mainsize: number;
  /** Machine time in cycles. */
  readonly time: number;
  /** TOD clock in microseconds at local time 0. */
  readonly todOffset: number;
  /** Last value STORE CLOCK stored (microseconds), or null before the first. */
  readonly lastTod: number | null;
  readonly cpus: readonly Esa390CpuSnapshot[];
  /** Allocated 4 KB frames: frame number and base64 contents. */
  readonly frames: readonly { readonly frame: number; readonly data: string }[];
  /** The storage keys, one byte per frame, base64. */
  readonly keys: string;
}

/** Why a restore was refused. */
export interface SnapshotError {
  readonly code: 'SNAPSHOT_VERSION' | 'SNAPSHOT_KIND' | 'SNAPSHOT_SHAPE' | 'SNAPSHOT_DATA';
  readonly message: string;
}

/** Result of a restore: nothing was changed when `ok` is false. */
export type RestoreResult = { readonly ok: true } | { readonly ok: false; readonly error: SnapshotError };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Base64 (RFC 4648) of bytes; no platform Buffer/btoa dependency. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
    if (s.length >= 4096) {
      parts.push(s);
      s = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}${B64[(n >>> 6) & 63]!}=`;
  }
  parts.push(s);
  return parts.join('');
}

/** Decode base64; null when the text is not valid base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      let v: number;
      if (c === 61 && i + j >= text.length - pad) v = 0;
      else {
        v = c < 128 ? B64_INDEX[c]! : -1;
        if (v < 0) return null;
      }
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >>> 16) & 0xff;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** Snapshot one CPU. */
export function snapshotCpu(cpu: Esa390Cpu): Esa390CpuSnapshot {
  const sys = systemOf(cpu);
  const emergencyFrom: number[] = [];
  sys.emergencyFrom.forEach((v, i) => {
    if (v !== 0) emergencyFrom.push(i);
  });
  const [hi, lo] = cpu.getPsw();
  return {
    kind: 'esa390-cpu',
    version: ESA390_SNAPSHOT_VERSION,
    id: cpu.id,
    psw: [hi, lo],
    gpr: Array.from(cpu.gpr),
    cr: Array.from(cpu.cr),
    prefix: cpu.prefix,
    state: cpu.state,
    checkStopReason: cpu.checkStopReason,
    instructions: cpu.instructions,
    cycles: cpu.cycles,
    tea: cpu.tea,
    invalidPsw: cpu.invalidPsw ? [cpu.invalidPswHi >>> 0, cpu.invalidPswLo >>> 0] : null,
    skew: sys.skew,
    clockComparator: [sys.ckcWords[0]!, sys.ckcWords[1]!],
    cpuTimer: sys.timerValue,
    cpuTimerSetAt: sys.timerSetAt,
    pending: sys.raw,
    externalCallFrom: sys.externalCallFrom,
    emergencyFrom,
    ioBlockedCr6: sys.ioBlocked ? sys.ioBlockedCr6 : null,
    interruptions: { ...sys.interruptions },
  };
}

function fail(code: SnapshotError['code'], message: string): RestoreResult {
  return { ok: false, error: { code, message } };
}

const STATES: readonly string[] = ['operating', 'stopped', 'check-stop'];
const COUNT_CLASSES = ['external', 'io', 'svc', 'restart'] as const;

function isWordArray(v: unknown, length: number): v is number[] {
  return Array.isArray(v) && v.length === length && v.every((x) => Number.isInteger(x));
}

/** Check a CPU snapshot's version and shape without changing anything. */
function checkCpuSnapshot(s: Esa390CpuSnapshot, emergencyLimit: number): RestoreResult {
  if (s === null || typeof s !== 'object') return fail('SNAPSHOT_KIND', 'not a CPU snapshot (expected an object)');
  if (s.version !== ESA390_SNAPSHOT_VERSION) {
    return fail(
      'SNAPSHOT_VERSION',
      `CPU snapshot version ${String(s.version)} is not supported (this build reads version ${ESA390_SNAPSHOT_VERSION})`,
    );
  }
  if (s.kind !== 'esa390-cpu') return fail('SNAPSHOT_KIND', `expected an 'esa390-cpu' snapshot, found '${String(s.kind)}'`);
  if (!isWordArray(s.psw, 2) || !isWordArray(s.gpr, 16) || !isWordArray(s.cr, 16)) {
    return fail('SNAPSHOT_DATA', 'CPU snapshot: psw must have 2 words, gpr and cr 16 words each');
  }
  if (!STATES.includes(s.state)) return fail('SNAPSHOT_DATA', `CPU snapshot: unknown state '${String(s.state)}'`);
  if (!isWordArray(s.clockComparator, 2)) return fail('SNAPSHOT_DATA', 'CPU snapshot: clockComparator must have 2 words');
  const numbers = [s.prefix, s.instructions, s.cycles, s.tea, s.skew, s.cpuTimer, s.cpuTimerSetAt, s.pending, s.externalCallFrom];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return fail('SNAPSHOT_DATA', 'CPU snapshot: a numeric field is missing or not finite');
  }
  if (!Array.isArray(s.emergencyFrom) || !s.emergencyFrom.every((i) => Number.isInteger(i) && i >= 0 && i < emergencyLimit)) {
    return fail('SNAPSHOT_DATA', 'CPU snapshot: emergencyFrom names a CPU outside the configuration');
  }
  if (s.invalidPsw !== null && !isWordArray(s.invalidPsw, 2)) return fail('SNAPSHOT_DATA', 'CPU snapshot: invalidPsw must be null or 2 words');
  if (s.ioBlockedCr6 !== null && !Number.isInteger(s.ioBlockedCr6)) return fail('SNAPSHOT_DATA', 'CPU snapshot: ioBlockedCr6 must be null or a word');
  const counts = s.interruptions;
  if (counts === null || typeof counts !== 'object' || !COUNT_CLASSES.every((k) => Number.isInteger(counts[k]) && counts[k] >= 0)) {
    return fail('SNAPSHOT_DATA', 'CPU snapshot: interruptions must count external, io, svc and restart');
  }
  return { ok: true };
}

function applyCpuSnapshot(cpu: Esa390Cpu, s: Esa390CpuSnapshot): void {
  const sys = systemOf(cpu);
  cpu.setPsw(s.psw[0], s.psw[1]);
  cpu.invalidPsw = s.invalidPsw !== null;
  cpu.invalidPswHi = s.invalidPsw?.[0] ?? 0;
  cpu.invalidPswLo = s.invalidPsw?.[1] ?? 0;
  cpu.gpr.set(s.gpr);
  cpu.cr.set(s.cr);
  cpu.prefix = s.prefix;
  cpu.state = s.state;
  cpu.checkStopReason = s.checkStopReason;
  cpu.instructions = s.instructions;
  cpu.cycles = s.cycles;
  cpu.tea = s.tea;
  sys.skew = s.skew;
  sys.ckcWords[0] = s.clockComparator[0];
  sys.ckcWords[1] = s.clockComparator[1];
  sys.ckc = (s.clockComparator[0] >>> 0) * 1048576 + ((s.clockComparator[1] >>> 0) >>> 12) + ((s.clockComparator[1] >>> 0) & 0xfff) / 4096;
  sys.timerValue = s.cpuTimer;
  sys.timerSetAt = s.cpuTimerSetAt;
  sys.raw = s.pending;
  sys.externalCallFrom = s.externalCallFrom;
  sys.emergencyFrom.fill(0);
  for (const i of s.emergencyFrom) sys.emergencyFrom[i] = 1;
  sys.emergencyCount = s.emergencyFrom.length;
  for (const k of COUNT_CLASSES) sys.interruptions[k] = s.interruptions[k];
  sys.ioBlocked = s.ioBlockedCr6 !== null;
  sys.ioBlockedCr6 = s.ioBlockedCr6 ?? 0;
  cpu.flushTlb();
  updateTimers(cpu, sys);
  refreshPending(cpu, sys);
}

/**
 * Restore a CPU from a snapshot. Refuses (and changes nothing) when the
 * version or shape is not one this code reads.
 */
export function restoreCpu(cpu: Esa390Cpu, snapshot: Esa390CpuSnapshot): RestoreResult {
  const check = checkCpuSnapshot(snapshot, systemOf(cpu).emergencyFrom.length);
  if (!check.ok) return check;
  applyCpuSnapshot(cpu, snapshot);
  return { ok: true };
}

/** Snapshot a whole machine. */
export function snapshotMachine(machine: Esa390Machine): Esa390MachineSnapshot {
  const storage = machine.storage;
  const frames: { frame: number; data: string }[] = [];
  storage.forEachFrame((f, i) => frames.push({ frame: i, data: toBase64(f) }));
  const first = machine.cpus[0]!;
  return {
    kind: 'esa390-machine',
    version: ESA390_SNAPSHOT_VERSION,
    mainsize: storage.size,
    time: machine.clock.now(),
    todOffset: systemOf(first).configuration.todOffset,
    lastTod: Number.isFinite(systemOf(first).configuration.lastTod) ? systemOf(first).configuration.lastTod : null,
    cpus: machine.cpus.map(snapshotCpu),
    frames,
    keys: toBase64(storage.keys),
  };
}

/**
 * Restore a machine of the same shape (main-storage size, number of CPUs)
 * from a snapshot. Storage is replaced by the snapshot's frames and keys.
 * The machine clock cannot run backwards: when it is already past the
 * snapshot's time, every local time is shifted instead, which reads the same
 * TOD clock, comparator and CPU timer values.
 */
export function restoreMachine(machine: Esa390Machine, snapshot: Esa390MachineSnapshot): RestoreResult {
  if (snapshot === null || typeof snapshot !== 'object') return fail('SNAPSHOT_KIND', 'not a machine snapshot (expected an object)');
  if (snapshot.version !== ESA390_SNAPSHOT_VERSION) {
    return fail(
      'SNAPSHOT_VERSION',
      `machine snapshot version ${String(snapshot.version)} is not supported (this build reads version ${ESA390_SNAPSHOT_VERSION})`,
    );
  }
  if (snapshot.kind !== 'esa390-machine') {
    return fail('SNAPSHOT_KIND', `expected an 'esa390-machine' snapshot, found '${String(snapshot.kind)}'`);
  }
  const storage = machine.storage;
  if (snapshot.mainsize !== storage.size) {
    return fail('SNAPSHOT_SHAPE', `snapshot has ${snapshot.mainsize} bytes of storage, the machine ${storage.size}`);
  }
  if (!Array.isArray(snapshot.cpus) || snapshot.cpus.length !== machine.cpus.length) {
    return fail('SNAPSHOT_SHAPE', `snapshot has ${String(snapshot.cpus?.length)} CPUs, the machine ${machine.cpus.length}`);
  }
  for (const c of snapshot.cpus) {
    const check = checkCpuSnapshot(c, machine.cpus.length);
    if (!check.ok) return check;
  }
  const keys = typeof snapshot.keys === 'string' ? fromBase64(snapshot.keys) : null;
  if (keys === null || keys.length !== storage.frameCount) return fail('SNAPSHOT_DATA', 'storage keys are not valid base64 of one byte per frame');
  const frames: [number, Uint8Array][] = [];
  for (const f of snapshot.frames ?? []) {
    const data = typeof f?.data === 'string' ? fromBase64(f.data) : null;
    if (data === null || data.length !== FRAME_SIZE || !Number.isInteger(f.frame) || f.frame < 0 || f.frame >= storage.frameCount) {
      return fail('SNAPSHOT_DATA', `frame ${String(f?.frame)}: expected a frame number in range and 4096 bytes of base64`);
    }
    frames.push([f.frame, data]);
  }
  if (![snapshot.time, snapshot.todOffset].every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return fail('SNAPSHOT_DATA', 'time and todOffset must be finite numbers');
  }
  if (snapshot.lastTod !== null && !(typeof snapshot.lastTod === 'number' && Number.isFinite(snapshot.lastTod))) {
    return fail('SNAPSHOT_DATA', 'lastTod must be null or a finite number');
  }

  storage.clear();
  for (const [frame, data] of frames) storage.writeFrom((frame << FRAME_SHIFT) as AbsoluteAddress, data);
  storage.keys.set(keys);
  const clock = machine.clock;
  let shift = 0;
  if (clock.now() <= snapshot.time) clock.advanceTo(snapshot.time);
  else shift = clock.now() - snapshot.time;
  const configuration = systemOf(machine.cpus[0]!).configuration;
  configuration.todOffset = snapshot.todOffset - shift / configuration.cyclesPerMicrosecond;
  configuration.lastTod = snapshot.lastTod ?? Number.NEGATIVE_INFINITY;
  machine.cpus.forEach((cpu, i) => {
    const s = snapshot.cpus[i]!;
    applyCpuSnapshot(cpu, { ...s, skew: s.skew + shift, cpuTimerSetAt: s.cpuTimerSetAt + shift });
  });
  return { ok: true };
}
