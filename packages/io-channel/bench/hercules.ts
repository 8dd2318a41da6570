/**
 * Guest-driven I/O rate, side by side: the same ESA/390 program — enable the
 * 3215's subchannel, then N times SSCH a one-CCW NOP program and TSCH until
 * primary status, then a disabled wait — on Hercules 3.13 and on isa-core's
 * CPU with this channel subsystem (timed around `machine.run`). On Hercules
 * the program times itself: it stores the TOD clock (which Hercules keeps in
 * step with the host's) when it starts and before its wait, so the figure
 * leaves out Hercules' start-up and the latency of its console messages. The
 * run is hercules-oracle's `runHerculesSettled`, which repeats it with a
 * longer pause unless the wait came before the clock values were displayed.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { herculesAvailable, runHerculesSettled, storageBytes } from '@strachey/hercules-oracle';
import { Console3215, createChannelMachine } from '../src/index';

/** Where the program stores the TOD clock at its start and before its wait. */
const T0 = 0x310;
const T1 = 0x318;

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
        'B2050310' + // STCK T0
          '58100300' + // L 1,SSID
          '58C00308' + // L 12,=A(X'3000')
          'B234C400' + // STSCH SCHIB
          '9680C405' + // OI SCHIB+5,X'80'
          'B232C400' + // MSCH SCHIB
          '58500304' + // L 5,N
          'B233C500' + // 021C LOOP SSCH ORB
          'B235C600' + // 0220 T TSCH IRB
          '47700220' + // BNZ T
          '9104C603' + // TM IRB+3,X'04'
          '47800220' + // BZ T
          '4650021C' + // BCT 5,LOOP
          'B2050318' + // STCK T1
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
  return herculesAvailable() ? null : 'hercules not runnable (apt-get install hercules, or set $HERCULES)';
}

/** Seconds between two TOD-clock values (bit 51 is one microsecond). */
function todSeconds(start: bigint, end: bigint): number {
  return Number((end - start) >> 12n) / 1e6;
}

/** Seconds Hercules 3.13 takes from the program's first instruction to its wait, by the program's own clock. */
export async function timeOnHercules(
  pokes: readonly [number, Uint8Array][],
  pauses: readonly number[] = [2, 8, 30],
): Promise<number> {
  // The `r` (alter storage) command takes at most 32 bytes; send 16 per command.
  const alters: string[] = [];
  for (const [a, b] of pokes)
    for (let o = 0; o < b.length; o += 16)
      alters.push(`r ${(a + o).toString(16)}=${Buffer.from(b.subarray(o, o + 16)).toString('hex')}`);
  const run = await runHerculesSettled({
    script: [...alters, 'restart', 'pause 1', `r ${T0.toString(16)}.10`, ''].join('\n'),
    pauses,
  });
  if (!run.complete)
    throw new Error(
      `Hercules did not reach the wait in ${run.attempts} attempts (pauses ${pauses.join(', ')} s)`,
    );
  const stored = storageBytes(run.storage);
  const word = (a: number): bigint => {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(stored.get(a + i) ?? 0);
    return v;
  };
  const start = word(T0);
  const end = word(T1);
  if (start === 0n || end <= start)
    throw new Error(`the program's TOD clock values are not usable: ${start} ${end}`);
  return todSeconds(start, end);
}

/** Seconds isa-core with this channel subsystem takes for the program (all of it, wall clock). */
export function timeOnStrachey(pokes: readonly [number, Uint8Array][]): {
  seconds: number;
  simulatedSeconds: number;
} {
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
