/**
 * Scale: many CMS users in one process (spec: 10,000 logged-on CMS users,
 * each able to run a command, within a few GB of host memory).
 *
 * Every user is a 128K virtual machine (VM/370 installations gave CMS
 * 256K-320K; this CMS fits in 128K, so that 10,000 windows plus CP's 64K work
 * area each stay below the 2 GB of CP real storage that ESA/390 channel
 * programs can address — CMS's A-disk I/O runs there), whose directory entry says
 * `IPL CMS`: LOGON, then the named saved system CMS is mapped (the nucleus
 * pages are the same host frames for everybody, src/saved-systems.ts), CMS
 * initialises, reads its A-disk directory (a read-only link to MAINT's 191:
 * ten thousand formatted minidisks would be gigabytes of simulated DASD, not
 * CP's memory) and waits for console input with a READ outstanding — no
 * timer, so an idle user costs no CPU. Then each user runs one command
 * (LISTFILE or QUERY DISK, alternately) and its output is checked.
 *
 * Reported: logon rate (LOGON + IPL CMS + CMS ready, users per host second),
 * commands per host second, host memory per user (RSS and V8 heap delta /
 * users) and CP real-storage frames per user, shared vs private pages.
 *
 * Run: `pnpm bench` (bench/run.ts calls this) or alone:
 * `tsx --conditions=@strachey/source bench/scale.ts [users]`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResults } from '@strachey/bench';
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import {
  CMS_SMALL_STORAGE,
  type ControlProgram,
  createCp,
  formatCmsDisk,
  installCms,
  saveCmsSystem,
} from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Run CP until nobody can run (everyone waits for console input); false if it
 * never got there. CP's run also ends 'idle' with a real I/O completion it has
 * yet to take (it polls at the start of a run): that is not the end.
 */
function settle(cp: ControlProgram): boolean {
  for (let i = 0; i < 100_000; i++)
    if (cp.run(1_000_000_000).reason === 'idle' && !cp.realIo.busy) return true;
  return false;
}

const READY = /^Ready; T=/;

export interface ScaleResult {
  readonly users: number;
  readonly storagePerUser: number;
  readonly logonSeconds: number;
  readonly logonsPerSecond: number;
  readonly commandSeconds: number;
  readonly commandsPerSecond: number;
  readonly answered: number;
  readonly rssDeltaMB: number;
  readonly heapDeltaMB: number;
  readonly rssKBPerUser: number;
  readonly heapKBPerUser: number;
  readonly privateFramesPerUser: number;
  readonly sharedSystemPages: number;
  readonly sharedMappings: number;
  readonly privateCopies: number;
  readonly simulatedSeconds: number;
}

/** Log on `users` CMS users from the saved system, run one command each, and measure. */
export function scale(users: number, log: (line: string) => void = console.log): ScaleResult {
  const volume = new CkdVolume(geometry3390(20));
  const sys = installCms(volume, { start: 1, cylinders: 1 });
  if (!sys.ok) throw new Error(sys.error);
  const files = [
    { fn: 'PROFILE', ft: 'EXEC', recfm: 'V' as const, lrecl: 80, records: ['/* PROFILE */'] },
    {
      fn: 'README',
      ft: 'TEXT',
      recfm: 'F' as const,
      lrecl: 80,
      records: ['Shared A-disk of the scale run.'],
    },
  ];
  const f = formatCmsDisk(volume, { start: 2, cylinders: 1 }, { label: 'SHR191', files });
  if (!f.ok) throw new Error(f.error.message);
  const parts = ['USER MAINT MAINT 1M 1M G\n MDISK 190 3390 1 1 VMRES1 RR\n MDISK 191 3390 2 1 VMRES1 RR\n'];
  for (let i = 0; i < users; i++)
    parts.push(
      `USER U${i} X ${CMS_SMALL_STORAGE / 1024}K 1M G\n IPL CMS\n CONSOLE 009 3215\n LINK MAINT 191 191 RR\n`,
    );
  // Each user's window is its storage plus CP's 64K work area; 1 MB below is CP's own. At most 2 GB:
  // channel programs (CP's translated CCWs, IDAWs, data) address 31 bits.
  const realStorage =
    Math.min(2048, Math.ceil((users * (CMS_SMALL_STORAGE + 65536)) / (1 << 20) + 2)) * (1 << 20);
  global.gc?.();
  const before = process.memoryUsage();
  const r = createCp({ directory: parts.join(''), volumes: [{ volser: 'VMRES1', volume }], realStorage });
  if (!r.ok) throw new Error(`directory: ${r.errors[0]?.message}`);
  const cp = r.cp;
  const saved = saveCmsSystem(cp.savedSystems);
  if (!saved.ok) throw new Error(saved.error.message);

  const t0 = performance.now();
  for (let i = 0; i < users; i++) {
    const l = cp.logon(`U${i}`, 'X');
    if (!l.ok) throw new Error(`U${i}: ${l.error.message}`);
    const ipl = cp.ipl(`U${i}`); // the directory's IPL CMS
    if (!ipl.ok) throw new Error(`U${i}: ${ipl.error.message}`);
  }
  if (!settle(cp)) throw new Error('CMS did not reach its console read');
  const t1 = performance.now();
  let ready = 0;
  for (let i = 0; i < users; i++) {
    const vm = cp.vm(`U${i}`)!;
    if (vm.consoleLines[0] === 'CMS VERSION 1.0 STRACHEY' && READY.test(vm.consoleLines[1] ?? '')) ready++;
    vm.queueConsoleInput(i % 2 === 0 ? 'LISTFILE' : 'QUERY DISK');
  }
  if (ready !== users) {
    const bad = [...Array(users).keys()].filter((i) => !READY.test(cp.vm(`U${i}`)!.consoleLines[1] ?? ''));
    throw new Error(
      `only ${ready} of ${users} CMS users reached Ready; first not: U${bad[0]} at ${cp.vm(`U${bad[0]}`)!.storage.origin.toString(16)}: ${cp.vm(`U${bad[0]}`)!.consoleLines.join(' / ')}; last not U${bad.at(-1)}`,
    );
  }
  const t2 = performance.now();
  if (!settle(cp)) throw new Error('commands did not finish');
  const t3 = performance.now();
  let answered = 0;
  for (let i = 0; i < users; i++) {
    const out = cp.vm(`U${i}`)!.consoleLines.slice(2);
    const ok =
      i % 2 === 0
        ? out[0] === 'PROFILE  EXEC     A1' && out[1] === 'README   TEXT     A1' && READY.test(out[2] ?? '')
        : out[0]?.startsWith('LABEL  VDEV M  STAT') === true &&
          out[1]?.startsWith('SHR191 191  A') === true &&
          READY.test(out[2] ?? '');
    if (ok) answered++;
  }
  global.gc?.();
  const after = process.memoryUsage();
  const nss = cp.savedSystems.counters();
  const result: ScaleResult = {
    users,
    storagePerUser: CMS_SMALL_STORAGE,
    logonSeconds: (t1 - t0) / 1000,
    logonsPerSecond: users / ((t1 - t0) / 1000),
    commandSeconds: (t3 - t2) / 1000,
    commandsPerSecond: users / ((t3 - t2) / 1000),
    answered,
    rssDeltaMB: (after.rss - before.rss) / (1 << 20),
    heapDeltaMB: (after.heapUsed - before.heapUsed) / (1 << 20),
    rssKBPerUser: (after.rss - before.rss) / 1024 / users,
    heapKBPerUser: (after.heapUsed - before.heapUsed) / 1024 / users,
    privateFramesPerUser: cp.realStorage.allocatedFrames / users,
    sharedSystemPages: saved.system.pages.length,
    sharedMappings: nss.mappedFrames,
    privateCopies: nss.privateCopies,
    simulatedSeconds: cp.clock.now() / cp.clock.cyclesPerMicrosecond / 1e6,
  };
  log(`scale: ${users} CMS users (${CMS_SMALL_STORAGE / 1024}K each, IPL CMS from the saved system)`);
  log(
    `  logon + IPL CMS + Ready: ${result.logonSeconds.toFixed(1)} s, ${result.logonsPerSecond.toFixed(0)} users/s`,
  );
  log(
    `  one command each (LISTFILE / QUERY DISK): ${result.commandSeconds.toFixed(1)} s, ${result.commandsPerSecond.toFixed(0)} commands/s, ${answered} answered correctly`,
  );
  log(
    `  host memory: +${result.rssDeltaMB.toFixed(0)} MB RSS (${result.rssKBPerUser.toFixed(1)} KB/user), +${result.heapDeltaMB.toFixed(0)} MB heap (${result.heapKBPerUser.toFixed(1)} KB/user)`,
  );
  log(
    `  CP real storage: ${result.privateFramesPerUser.toFixed(2)} private 4K frames/user; CMS nucleus: ${result.sharedSystemPages} shared pages mapped ${result.sharedMappings} times, ${result.privateCopies} private copies`,
  );
  log(`  simulated time: ${result.simulatedSeconds.toFixed(2)} s`);
  return result;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const users = Number(process.argv[2] ?? 10_000);
  const result = scale(users);
  console.log(`results: ${writeResults(join(here, '..'), 'cp-scale', result)}`);
}
