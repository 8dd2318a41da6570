/**
 * The test guests shipped with the package, as ESA/390 assembler sources:
 * MINIKERN (guests/minikern.asm), a small multiprogramming kernel with two
 * DAT address spaces, CPU-timer preemption, SVCs and console and DASD
 * channel programs, and TASK (guests/task.asm), the problem-state program
 * it runs in both address spaces. They run unchanged bare metal, in an LPAR
 * and under CP, which is what makes them the equivalence test of
 * Popek and Goldberg (1974). DASD-TO-CONSOLE copies a minidisk's records to
 * the console, and ECHOVM (guests/echovm.asm) is a tiny guest for the CP
 * terminal, IPLed from a minidisk: it echoes console lines and sleeps on the
 * clock comparator while none is there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Names of the shipped guests. */
export type GuestName = 'minikern' | 'task' | 'dasd-to-console' | 'echovm';

/** Path of a shipped guest's source (from src/ or the built dist/), or undefined when the package was installed without its guests folder. */
export function guestSourcePath(name: GuestName): string | undefined {
  for (const rel of [`../guests/${name}.asm`, `../../guests/${name}.asm`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A shipped guest's assembler source, or undefined when it is not installed. */
export function guestSource(name: GuestName): string | undefined {
  const p = guestSourcePath(name);
  return p === undefined ? undefined : readFileSync(p, 'utf8');
}
