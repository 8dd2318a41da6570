/**
 * What the CLI's PR/SM commands and reproductions share: reading an IOCP
 * deck and image profiles from files, building a machine from them, IPLing
 * every partition that has an image profile, turning prsm's error values
 * into located diagnostics (file:line:column), and the two stock guests.
 */
import { readFileSync } from 'node:fs';
import {
  createPrsm,
  formatPrsmError,
  type Prsm,
  type PrsmError,
  type PrsmOptions,
  type PrsmResult,
  parseIocp,
  parseProfiles,
  type ProfileSet,
} from '@strachey/prsm';
import { assemble } from '@strachey/isa-core';
import { type Diagnostic, UserError } from './diagnostics';

/** The default guest: a CPU-bound loop (BALR/LA/B), so that a partition always wants its CPs. */
export const SPIN_SOURCE = `
SPIN     START X'2000'
         BALR  12,0
         USING *,12
LOOP     LA    1,1(1)
         B     LOOP
         END   SPIN
`;

/**
 * An idle guest: loads an enabled wait PSW (wait bit and the external
 * interruption mask on; POP chapter 4, "Program-Status Word"), so its
 * partition gives up its CPs.
 */
export const IDLE_SOURCE = `
IDLE     START X'2000'
         BALR  12,0
         USING *,12
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'010A0000',X'80000000'
         END   IDLE
`;

/** A prsm error as a CLI diagnostic, located where prsm located it. */
export function prsmDiagnostic(e: PrsmError): Diagnostic {
  return {
    code: e.code,
    message:
      e.expected !== undefined && e.found !== undefined
        ? `${e.message} (expected ${e.expected}, found ${e.found})`
        : e.message,
    ...(e.file !== '' ? { file: e.file } : {}),
    ...(e.line > 0 ? { line: e.line, column: e.column } : {}),
  };
}

/** The value of a prsm result, or a UserError with prsm's own one-line text (for built-in decks, where the location is ours). */
export function mustPrsm<T>(r: PrsmResult<T>): T {
  if (!r.ok) throw new UserError({ code: r.error.code, message: formatPrsmError(r.error) });
  return r.value;
}

/** A user's file as text; a UserError naming the file when it cannot be read. */
export function readInputFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError({
      code: 'FILE_NOT_READABLE',
      file,
      message: `cannot read the ${what}: ${(error as Error).message}`,
    });
  }
}

/** The input files of a PR/SM run and the `--ipl NAME=FILE` programs. */
export interface PrsmInputFiles {
  readonly iocp: string;
  readonly profiles: string;
  readonly ipl?: readonly string[];
}

/** A machine built from user files, with the profiles it was built from. */
export interface LoadedPrsm {
  readonly prsm: Prsm;
  readonly profiles: ProfileSet;
}

/**
 * Read and parse the IOCP deck and image profiles and build the machine
 * (with `extra` options); every error is a UserError at its file:line:column.
 */
export function loadPrsm(files: PrsmInputFiles, extra: Omit<PrsmOptions, 'iocp' | 'profiles'>): LoadedPrsm {
  const iocp = parseIocp(readInputFile(files.iocp, 'IOCP deck'), files.iocp);
  if (!iocp.ok) throw new UserError(prsmDiagnostic(iocp.error));
  const profiles = parseProfiles(readInputFile(files.profiles, 'image profiles'), files.profiles);
  if (!profiles.ok) throw new UserError(prsmDiagnostic(profiles.error));
  const made = createPrsm({ iocp: iocp.value, profiles: profiles.value, ...extra });
  if (!made.ok) throw new UserError(prsmDiagnostic(made.error));
  return { prsm: made.value, profiles: profiles.value };
}

/**
 * Activate every partition that has an image profile and IPL it (all its
 * logical CPs started) with its `--ipl NAME=FILE` program, or SPIN_SOURCE
 * without one. Returns the activated partitions in profile order. Bad
 * `--ipl` specs, unreadable programs, activation and assembly errors are
 * UserErrors; an activation error without a location points at the image's
 * profile section.
 */
export function iplPartitions(loaded: LoadedPrsm, files: PrsmInputFiles): string[] {
  const m = loaded.prsm;
  const programs = new Map<string, { file: string; source: string }>();
  for (const spec of files.ipl ?? []) {
    const eq = spec.indexOf('=');
    if (eq < 1)
      throw new UserError({ code: 'BAD_IPL', message: `--ipl: expected NAME=FILE, found '${spec}'` });
    const name = spec.slice(0, eq).toUpperCase();
    if (!m.partitionNames.includes(name))
      throw new UserError({
        code: 'UNDEFINED_PARTITION',
        message: `--ipl: no partition ${name} in ${files.iocp} (expected one of ${m.partitionNames.join(', ')})`,
      });
    const file = spec.slice(eq + 1);
    const source = readInputFile(file, 'guest program');
    // Assembled here first so that every error is reported, each at its place, as `strachey asm`
    // reports them (the IPL itself stops at the first).
    const program = assemble(source);
    if (!program.ok) {
      throw new UserError(program.errors.map((e) => ({ code: e.code, message: e.message, file, line: e.line, column: e.column })));
    }
    programs.set(name, { file, source });
  }
  const active: string[] = [];
  for (const im of loaded.profiles.images) {
    const a = m.activate(im.name);
    if (!a.ok)
      throw new UserError(
        prsmDiagnostic({
          ...a.error,
          file: a.error.file || files.profiles,
          line: a.error.line || im.at.line,
          column: a.error.column || im.at.column,
        }),
      );
    const prog = programs.get(im.name);
    const r = m.ipl(im.name, { source: prog?.source ?? SPIN_SOURCE, start: 'all' });
    if (!r.ok) throw new UserError(prsmDiagnostic(prog ? { ...r.error, file: prog.file } : r.error));
    active.push(im.name);
  }
  return active;
}
