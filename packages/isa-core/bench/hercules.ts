/**
 * Time a bare ESA/390 program on Debian's Hercules 3.13 from its start to
 * its disabled wait, with the guest's own clock: Hercules' TOD clock follows
 * the host's, so two STCKs around the program measure exactly the guest's
 * run, free of Hercules' start-up and of how late its console messages
 * reach the pipe. The run itself is hercules-oracle's `runHerculesSettled`:
 * an attempt counts only if the disabled wait (HHCCP011I) came before the
 * display of the two clock values; otherwise it is repeated with a longer
 * pause.
 *
 * The bench programs (programs.ts) are left as they are; only Hercules' copy
 * is wrapped. The restart new PSW at real 0 is pointed at a prologue that
 * stores the TOD clock and loads the program's own restart new PSW; the
 * program's disabled-wait PSW is pointed at an epilogue that stores the TOD
 * clock and loads the original wait PSW, so Hercules ends in the same wait.
 * The wrapper lives at X'F00'-X'FFF' (addressable with base register 0, so
 * no register of the program is touched), which the program must not use.
 */
import { herculesAvailable, runHerculesSettled, storageBytes } from '@strachey/hercules-oracle';

export interface HerculesTiming {
  readonly seconds: number;
  /** Attempts of the settle ladder the run took. */
  readonly attempts: number;
}

/** Why Hercules cannot be used here, or null when the binary runs. */
export function herculesUnavailable(): string | null {
  return herculesAvailable() ? null : 'hercules not runnable (apt-get install hercules, or set $HERCULES)';
}

// The wrapper: code at X'F00' and X'F10', saved PSWs at X'FE0'/X'FE8', TOD values at X'FF0'/X'FF8'.
const WRAPPER = 0xf00;
const WRAPPER_END = 0x1000;
const PROLOGUE = 'B2050FF0' + '82000FE0'; // STCK X'FF0' ; LPSW X'FE0' (the program's restart new PSW)
const EPILOGUE = 'B2050FF8' + '82000FE8'; // STCK X'FF8' ; LPSW X'FE8' (the program's wait PSW)
const TO_PROLOGUE = '0008000080000F00';
const TO_EPILOGUE = '0008000080000F10';

/** The program's bytes by address (pokes are address → hex). */
function image(pokes: readonly (readonly [number, string])[]): Map<number, number> {
  const bytes = new Map<number, number>();
  for (const [a, hex] of pokes)
    for (let i = 0; i < hex.length; i += 2) bytes.set(a + i / 2, Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

const hexAt = (bytes: Map<number, number>, address: number, length: number): string =>
  Array.from({ length }, (_, i) => (bytes.get(address + i) ?? 0).toString(16).padStart(2, '0')).join('');

/**
 * The pokes with the timing wrapper added. The wait PSW is the one
 * doubleword of the program that starts X'000A0000' (ESA/390 format, wait,
 * every interruption masked off); a program with none or several is refused.
 */
export function withTiming(pokes: readonly (readonly [number, string])[]): [number, string][] {
  const bytes = image(pokes);
  for (const a of bytes.keys()) {
    if (a >= WRAPPER && a < WRAPPER_END)
      throw new Error(`the program uses X'${a.toString(16)}', where the timing wrapper goes`);
  }
  const waits = [...bytes.keys()].filter((a) => a % 8 === 0 && hexAt(bytes, a, 4) === '000a0000');
  if (waits.length !== 1)
    throw new Error(`expected one disabled-wait PSW (000A0000 ...) in the program, found ${waits.length}`);
  const wait = waits[0]!;
  return [
    ...pokes.map(([a, h]) => [a, h] as [number, string]),
    [WRAPPER, PROLOGUE],
    [WRAPPER + 0x10, EPILOGUE],
    [0xfe0, hexAt(bytes, 0, 8) + hexAt(bytes, wait, 8)],
    [0, TO_PROLOGUE],
    [wait, TO_EPILOGUE],
  ];
}

/** Seconds between two TOD-clock values (bit 51 is one microsecond). */
export function todSeconds(start: bigint, end: bigint): number {
  return Number((end - start) >> 12n) / 1e6;
}

/**
 * Run `pokes` (address → hex bytes), restart, and time the program from its
 * first instruction to its disabled wait. Rejects when no attempt of the
 * ladder saw the wait before the display, or the clocks were not stored.
 */
export async function timeOnHercules(
  pokes: readonly (readonly [number, string])[],
  pauses: readonly number[] = [2, 8, 30],
): Promise<HerculesTiming> {
  // The `r` (alter storage) command takes at most 32 bytes; send 16 per command.
  const alters: string[] = [];
  for (const [a, hex] of withTiming(pokes)) {
    for (let i = 0; i < hex.length; i += 32)
      alters.push(`r ${(a + i / 2).toString(16)}=${hex.slice(i, i + 32)}`);
  }
  const run = await runHerculesSettled({
    script: [...alters, 'restart', 'pause 1', 'r ff0.10', ''].join('\n'),
    pauses,
  });
  if (!run.complete) {
    throw new Error(
      `hercules did not reach the disabled wait in ${run.attempts} attempts (pauses ${pauses.join(', ')} s)`,
    );
  }
  const stored = storageBytes(run.storage);
  const word = (a: number): bigint => BigInt(`0x${hexAt(stored, a, 8)}`);
  const start = word(0xff0);
  const end = word(0xff8);
  if (start === 0n || end <= start)
    throw new Error(`the TOD clock values stored by the wrapper are not usable: ${start} ${end}`);
  return { seconds: todSeconds(start, end), attempts: run.attempts };
}
