/**
 * Run a bare ESA/390 program on Debian's Hercules 3.13 headless and time it
 * from the restart to the disabled wait (hercules-oracle.md): the rc script
 * stores the program with `r` commands and presses restart; the console
 * messages HHCPN038I (restart key depressed) and HHCCP011I (disabled wait)
 * bracket the run. Hercules is killed (by its own pid) once the wait is seen.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HerculesTiming {
  readonly seconds: number;
}

const CONFIG = `CPUSERIAL 000611
CPUMODEL  3090
MAINSIZE  16
XPNDSIZE  0
NUMCPU    1
ARCHMODE  ESA/390
PANRATE   FAST
0009 3215-C / noprompt
`;

/** Why Hercules cannot be used here, or null when the binary runs. */
export function herculesUnavailable(): string | null {
  const r = spawnSync('hercules', ['--help'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `hercules not runnable: ${r.error.message} (apt-get install hercules)`;
  return null;
}

/** Run `pokes` (address → hex bytes), restart, and time until the disabled wait. */
export function timeOnHercules(pokes: readonly (readonly [number, string])[], timeoutMs = 120_000): Promise<HerculesTiming> {
  const dir = mkdtempSync(join(tmpdir(), 'strachey-hercules-'));
  const cnf = join(dir, 'h.cnf');
  const rc = join(dir, 'prog.rc');
  writeFileSync(cnf, CONFIG);
  // The `r` (alter storage) command takes at most 32 bytes; send 16 per command.
  const lines: string[] = [];
  for (const [a, hex] of pokes) {
    for (let i = 0; i < hex.length; i += 32) lines.push(`r ${(a + i / 2).toString(16)}=${hex.slice(i, i + 32)}`);
  }
  writeFileSync(rc, `${lines.join('\n')}\nrestart\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('hercules', ['-f', cnf, '-d'], { env: { ...process.env, HERCULES_RC: rc } });
    let seen = '';
    let tRestart = 0;
    let done = false;
    const finish = (err: Error | null, seconds = 0): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Hercules does not always end on SIGTERM in daemon mode.
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (err) reject(err);
      else resolve({ seconds });
    };
    const timer = setTimeout(() => finish(new Error(`hercules did not reach the disabled wait in ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer): void => {
      const now = performance.now();
      seen += d.toString('latin1');
      if (tRestart === 0 && seen.includes('HHCPN038I')) tRestart = now;
      if (tRestart !== 0 && seen.includes('HHCCP011I')) finish(null, (now - tRestart) / 1000);
      if (seen.length > 1 << 20) seen = seen.slice(-4096);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => finish(e));
    child.on('exit', () => finish(new Error('hercules exited before the disabled wait')));
  });
}
