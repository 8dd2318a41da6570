/**
 * Two kinds of figures:
 * - host speed: channel programs started and completed per second, each one
 *   SSCH → clock events → TSCH through the IoHandler (a 3215 NOP, a 3215
 *   80-byte write, and a 3390 SEEK/SEARCH/TIC/READ DATA chain);
 * - simulated 3390 behaviour: I/Os per simulated second, MB/s and mean
 *   latency for sequential versus random 4 KB reads (one channel program
 *   per record), with the seek/rotation/transfer breakdown. Random
 *   addresses come from a seeded generator, so the simulated figures are
 *   the same on every run.
 *
 * Run: pnpm bench (tsx --conditions=@strachey/source bench/run.ts)
 */
import { fileURLToPath } from 'node:url';
import { type AbsoluteAddress, type IoOperandAccess, SimClock, SparseStorage } from '@strachey/isa-core';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { ChannelSubsystem, CkdVolume, Console3215, Dasd3390, type CkdRecord, encodeOrb, formatVolume, geometry3390 } from '../src/index';
import { herculesMissing, ioLoopProgram, timeOnHercules, timeOnStrachey } from './hercules';

const ORB = 0x800;
const IRB = 0x900;

function cpuFor(storage: SparseStorage): IoOperandAccess {
  return {
    gpr: new Int32Array(16),
    pswKey: 0,
    fetch(address, target, length) {
      storage.readInto(address as AbsoluteAddress, target, 0, length);
      return 0;
    },
    store(address, data) {
      storage.writeFrom(address as AbsoluteAddress, data);
      return 0;
    },
  };
}

function ccw1(command: number, flags: number, count: number, address: number): number[] {
  return [command, flags, count >>> 8, count & 0xff, address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff];
}

interface Rig {
  storage: SparseStorage;
  clock: SimClock;
  css: ChannelSubsystem;
  cpu: IoOperandAccess;
}

function rig(): Rig {
  const storage = new SparseStorage(1 << 20);
  const clock = new SimClock(1000);
  const css = new ChannelSubsystem({ storage, clock });
  return { storage, clock, css, cpu: cpuFor(storage) };
}

function enable(r: Rig, sch: number): void {
  r.cpu.gpr[1] = 0x00010000 | sch;
  r.css.execute('STSCH', 0xa00, r.cpu);
  r.storage.write8(0xa05 as AbsoluteAddress, r.storage.read8(0xa05 as AbsoluteAddress) | 0x80);
  r.css.execute('MSCH', 0xa00, r.cpu);
}

/** One channel program: SSCH, fire clock events until the status is pending, TSCH. Returns simulated µs it took. */
function runOnce(r: Rig, sch: number, ccwAddress: number): number {
  const t0 = r.clock.now();
  r.storage.writeFrom(ORB as AbsoluteAddress, encodeOrb({ format1: true, lpm: 0x80, ccwAddress }));
  r.cpu.gpr[1] = 0x00010000 | sch;
  if (r.css.execute('SSCH', ORB, r.cpu) !== 0) throw new Error('SSCH failed');
  for (;;) {
    const t = r.clock.nextEventTime();
    if (!Number.isFinite(t)) break;
    r.clock.advanceTo(t);
  }
  if (r.css.execute('TSCH', IRB, r.cpu) !== 0) throw new Error('no status');
  const devStatus = r.storage.read8((IRB + 8) as AbsoluteAddress);
  const schStatus = r.storage.read8((IRB + 9) as AbsoluteAddress);
  if ((devStatus & ~0x40) !== 0x0c || schStatus !== 0) throw new Error(`unexpected status ${devStatus.toString(16)}/${schStatus.toString(16)}`);
  return (r.clock.now() - t0) / r.clock.cyclesPerMicrosecond;
}

const figures: BenchFigure[] = [];
const opts = { unit: 'programs', warmupSeconds: 0.5, samples: 5, sampleSeconds: 0.5 } as const;

// Host speed: NOP and write on a 3215.
{
  const r = rig();
  r.css.attach(0x009, new Console3215());
  enable(r, 0);
  r.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x03, 0x20, 1, 0)));
  r.storage.writeFrom(0x1100 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 80, 0x2000)));
  const nop = measure('3215 NOP channel program', () => {
    for (let i = 0; i < 1000; i++) runOnce(r, 0, 0x1000);
    return 1000;
  }, opts);
  const write = measure('3215 80-byte write', () => {
    for (let i = 0; i < 1000; i++) runOnce(r, 0, 0x1100);
    return 1000;
  }, opts);
  figures.push(nop, write);
}

// A 3390 volume with 12 × 4 KB records on each track of the first 200 cylinders.
function dasdRig(): { r: Rig; dasd: Dasd3390 } {
  const volume = new CkdVolume(geometry3390(1113));
  formatVolume(volume, 'BENCH1');
  for (let cc = 1; cc <= 200; cc++) {
    for (let hh = 0; hh < 15; hh++) {
      const records: CkdRecord[] = [...volume.track(cc, hh)];
      for (let n = 1; n <= 12; n++) records.push({ cc, hh, r: n, key: new Uint8Array(0), data: new Uint8Array(4096).fill(n) });
      volume.setTrack(cc, hh, records);
    }
  }
  const r = rig();
  const dasd = new Dasd3390(volume);
  r.css.attach(0x0190, dasd);
  enable(r, 0);
  // SEEK, SEARCH ID EQUAL, TIC, READ DATA 4096 → X'10000'.
  r.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from([...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x00, 4096, 0x10000)]));
  return { r, dasd };
}

function setTarget(r: Rig, cc: number, hh: number, rec: number): void {
  r.storage.writeFrom(0x1800 as AbsoluteAddress, Uint8Array.from([0, 0, cc >>> 8, cc & 0xff, 0, hh]));
  r.storage.writeFrom(0x1810 as AbsoluteAddress, Uint8Array.from([cc >>> 8, cc & 0xff, 0, hh, rec]));
}

{
  const { r } = dasdRig();
  let k = 0;
  const host = measure('3390 seek/search/read 4 KB channel program', () => {
    for (let i = 0; i < 200; i++) {
      const n = k++;
      setTarget(r, 1 + ((n / 180) | 0) % 200, ((n / 12) | 0) % 15, 1 + (n % 12));
      runOnce(r, 0, 0x1000);
    }
    return 200;
  }, opts);
  figures.push(host);
}

/** xorshift32 with an explicit seed: deterministic "random" record addresses. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Simulated 3390 figures for `ios` reads in `pattern` order. */
function simulate(pattern: 'sequential' | 'random', ios: number) {
  const { r, dasd } = dasdRig();
  const next = xorshift(0x3390);
  let total = 0;
  for (let n = 0; n < ios; n++) {
    if (pattern === 'sequential') setTarget(r, 1 + (((n / 180) | 0) % 200), ((n / 12) | 0) % 15, 1 + (n % 12));
    else setTarget(r, 1 + (next() % 200), next() % 15, 1 + (next() % 12));
    total += runOnce(r, 0, 0x1000);
  }
  const seconds = total / 1e6;
  return {
    pattern,
    ios,
    simulatedSeconds: seconds,
    iosPerSecond: ios / seconds,
    megabytesPerSecond: (ios * 4096) / seconds / 1e6,
    meanLatencyMs: total / ios / 1000,
    seekMsPerIo: dasd.stats.seekUs / ios / 1000,
    rotationMsPerIo: dasd.stats.rotationUs / ios / 1000,
    transferMsPerIo: dasd.stats.transferUs / ios / 1000,
  };
}

const sequential = simulate('sequential', 2000);
const random = simulate('random', 2000);

/**
 * Four 3390s behind one control unit on one channel path, each running
 * random 4 KB reads back to back: seeks and rotational waits are
 * disconnected, so the devices overlap and the path is busy only while data
 * moves. Reports aggregate simulated I/O per second and path utilisation.
 */
function sharedPath(devices: number, iosPerDevice: number) {
  const storage = new SparseStorage(4 << 20);
  const clock = new SimClock(1000);
  const css = new ChannelSubsystem({ storage, clock });
  const cpu = cpuFor(storage);
  css.defineControlUnit(1, [0x30]);
  const volume = new CkdVolume(geometry3390(1113));
  formatVolume(volume, 'SHARED');
  for (let cc = 1; cc <= 200; cc++) {
    for (let hh = 0; hh < 15; hh++) {
      const records: CkdRecord[] = [...volume.track(cc, hh)];
      for (let n = 1; n <= 12; n++) records.push({ cc, hh, r: n, key: new Uint8Array(0), data: new Uint8Array(4096) });
      volume.setTrack(cc, hh, records);
    }
  }
  const r: Rig = { storage, clock, css, cpu };
  const next = xorshift(0x5eed);
  const left: number[] = [];
  for (let d = 0; d < devices; d++) {
    css.attach(0x300 + d, new Dasd3390(volume), { controlUnit: 1 });
    enable(r, d);
    left.push(iosPerDevice);
  }
  let busyUs = 0;
  let connectedSince = -1;
  const issue = (d: number): void => {
    const base = 0x20000 + d * 0x100;
    const cc = 1 + (next() % 200);
    const hh = next() % 15;
    const rec = 1 + (next() % 12);
    storage.writeFrom(base as AbsoluteAddress, Uint8Array.from([0, 0, cc >>> 8, cc & 0xff, 0, hh, cc >>> 8, cc & 0xff, 0, hh, rec]));
    storage.writeFrom((base + 0x20) as AbsoluteAddress, Uint8Array.from([...ccw1(0x07, 0x40, 6, base), ...ccw1(0x31, 0x40, 5, base + 6), ...ccw1(0x08, 0, 0, base + 0x28), ...ccw1(0x06, 0x00, 4096, 0x100000 + d * 0x2000)]));
    storage.writeFrom(ORB as AbsoluteAddress, encodeOrb({ format1: true, lpm: 0x80, ccwAddress: base + 0x20 }));
    cpu.gpr[1] = 0x00010000 | d;
    if (css.execute('SSCH', ORB, cpu) !== 0) throw new Error('SSCH failed');
  };
  for (let d = 0; d < devices; d++) issue(d);
  const path = css.channelPath(0x30)!;
  for (;;) {
    const t = clock.nextEventTime();
    if (!Number.isFinite(t)) break;
    clock.advanceTo(t);
    const busy = path.busyWith !== null;
    if (busy && connectedSince < 0) connectedSince = clock.now();
    if (!busy && connectedSince >= 0) {
      busyUs += (clock.now() - connectedSince) / clock.cyclesPerMicrosecond;
      connectedSince = -1;
    }
    let i = css.takeInterruption(0xff000000);
    while (i !== null) {
      const d = i.subsystemId & 0xffff;
      cpu.gpr[1] = i.subsystemId;
      css.execute('TSCH', IRB, cpu);
      if (--left[d]! > 0) issue(d);
      i = css.takeInterruption(0xff000000);
    }
  }
  const seconds = clock.now() / clock.cyclesPerMicrosecond / 1e6;
  return { devices, ios: devices * iosPerDevice, simulatedSeconds: seconds, iosPerSecond: (devices * iosPerDevice) / seconds, pathUtilisation: busyUs / 1e6 / seconds, contentions: path.contentions };
}

const shared1 = sharedPath(1, 500);
const shared4 = sharedPath(4, 500);

for (const f of figures) console.log(`${f.name.padEnd(46)} ${formatRate(f)}`);
for (const s of [sequential, random]) {
  console.log(
    `3390 ${s.pattern.padEnd(10)} 4 KB reads: ${s.iosPerSecond.toFixed(1)} I/O/s, ${s.megabytesPerSecond.toFixed(2)} MB/s simulated, ` +
      `mean ${s.meanLatencyMs.toFixed(2)} ms (seek ${s.seekMsPerIo.toFixed(2)}, rotation ${s.rotationMsPerIo.toFixed(2)}, transfer ${s.transferMsPerIo.toFixed(2)})`,
  );
}
for (const s of [shared1, shared4]) {
  console.log(`${s.devices} × 3390 on one path, random 4 KB reads: ${s.iosPerSecond.toFixed(1)} I/O/s aggregate, path ${(100 * s.pathUtilisation).toFixed(1)} % busy, ${s.contentions} contentions`);
}
// Side by side with Hercules 3.13: the same guest SSCH/TSCH loop (100 000 NOP channel programs on a 3215).
const N = 100_000;
const program = ioLoopProgram(N);
const ours = timeOnStrachey(program);
const missing = herculesMissing();
const herculesSeconds = missing === null ? await timeOnHercules(program) : null;
const sideBySide = {
  programs: N,
  strachey: { seconds: ours.seconds, programsPerSecond: N / ours.seconds, simulatedSeconds: ours.simulatedSeconds },
  hercules: herculesSeconds === null ? { unavailable: missing } : { seconds: herculesSeconds, programsPerSecond: N / herculesSeconds },
};
console.log(`guest SSCH/TSCH loop, ${N} NOP programs: Strachey (isa-core + io-channel) ${(N / ours.seconds / 1000).toFixed(1)} k/s` + (herculesSeconds === null ? ` (Hercules: ${missing})` : `, Hercules 3.13 ${(N / herculesSeconds / 1000).toFixed(1)} k/s`));

const dir = fileURLToPath(new URL('..', import.meta.url));
console.log(`wrote ${writeResults(dir, 'channel', { host: figures, simulated3390: [sequential, random], sharedPath: [shared1, shared4], guestLoop: sideBySide })}`);

// What building a volume costs the host by size (bench/build-cost.ts, its own results file).
await import('./build-cost');
