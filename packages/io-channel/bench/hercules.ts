/**
 * Guest-driven I/O rate, side by side: the same ESA/390 program — enable the
 * 3215's subchannel, then N times SSCH a one-CCW NOP program and TSCH until
 * primary status, then a disabled wait — on Hercules 3.13 (headless, timed
 * from the restart to the wait as its console messages report them) and on
 * isa-core's CPU with this channel subsystem (timed around `machine.run`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AbsoluteAddress } from '@strachey/isa-core';
import { Console3215, createChannelMachine } from '../src/index';

/**
 * The guest program at X'200' as (address, bytes) pokes; `n` iterations.
 * Its control blocks live in the frame at X'3000' (base register 12), away
 * from the code, so TSCH's stores do not touch the frame being executed.
 */
export function ioLoopProgram(n: number): [number, Uint8Array][] {
  const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
  const count = [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return [
    [0x000, hex('00080000 00000200')],
    [
      0x200,
      hex(
        '58100300' + // L 1,SSID
          '58C00308' + // L 12,=A(X'3000')
          'B234C400' + // STSCH SCHIB
          '9680C405' + // OI SCHIB+5,X'80'
          'B232C400' + // MSCH SCHIB
          '58500304' + // L 5,N
          'B233C500' + // 0218 LOOP SSCH ORB
          'B235C600' + // 021C T TSCH IRB
          '4770021C' + // BNZ T
          '9104C603' + // TM IRB+3,X'04'
          '4780021C' + // BZ T
          '46500218' + // BCT 5,LOOP
          '82000320', // LPSW WAIT
      ),
    ],
    [0x300, Uint8Array.from([0, 1, 0, 0, ...count, 0, 0, 0x30, 0])],
    [0x320, hex('000A0000 00000000')],
    // ORB: format 1, LPM X'80', CCW at X'3700'; CCW: NOP with SLI, count 1.
    [0x3500, hex('00000000 00808000 00003700')],
    [0x3700, hex('03200001 00000000')],
  ];
}

/** Why Hercules cannot run here, or null. */
export function herculesMissing(): string | null {
  const r = spawnSync('hercules', ['--help'], { timeout: 10_000 });
  return r.error ? `hercules not runnable: ${r.error.message}` : null;
}

/** Seconds Hercules 3.13 takes from restart to the disabled wait for the program. */
export function timeOnHercules(pokes: readonly [number, Uint8Array][], timeoutMs = 120_000): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'io-channel-hbench-'));
  const cnf = join(dir, 'h.cnf');
  const rc = join(dir, 'io.rc');
  writeFileSync(cnf, ['CPUSERIAL 000611', 'CPUMODEL  3090', 'MAINSIZE  16', 'XPNDSIZE  0', 'NUMCPU    1', 'ARCHMODE  ESA/390', 'PANRATE   FAST', '0009 3215-C / noprompt', ''].join('\n'));
  const lines: string[] = [];
  for (const [a, b] of pokes) for (let o = 0; o < b.length; o += 16) lines.push(`r ${(a + o).toString(16)}=${Buffer.from(b.subarray(o, o + 16)).toString('hex')}`);
  writeFileSync(rc, `${lines.join('\n')}\nrestart\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('hercules', ['-f', cnf, '-d'], { env: { ...process.env, HERCULES_RC: rc } });
    let out = '';
    let started = 0;
    let settled = false;
    const end = (error: Error | null, seconds = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (error !== null) reject(error);
      else resolve(seconds);
    };
    const timer = setTimeout(() => end(new Error('Hercules did not reach the wait in time')), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('latin1');
      if (started === 0 && /HHCPN038I|restart key depressed/i.test(out)) started = performance.now();
      if (started !== 0 && /HHCCP011I/.test(out)) end(null, (performance.now() - started) / 1000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => end(e));
  });
}

/** Seconds isa-core with this channel subsystem takes for the program (all of it, wall clock). */
export function timeOnStrachey(pokes: readonly [number, Uint8Array][]): { seconds: number; simulatedSeconds: number } {
  const { machine, channels } = createChannelMachine({ mainsize: 16 << 20 });
  channels.attach(0x0009, new Console3215());
  for (const [a, b] of pokes) machine.storage.writeFrom(a as AbsoluteAddress, b);
  const t0 = performance.now();
  machine.restart(0);
  let exit = machine.run(50_000_000);
  while (exit.reason === 'budget') exit = machine.run(50_000_000);
  const seconds = (performance.now() - t0) / 1000;
  if (machine.cpus[0]!.getPsw()[1] !== 0) throw new Error('the I/O loop did not end in its wait');
  return { seconds, simulatedSeconds: machine.now() / machine.clock.cyclesPerMicrosecond / 1e6 };
}
