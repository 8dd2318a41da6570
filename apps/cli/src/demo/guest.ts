/**
 * The bare-metal demo's guest: ESA/390 assembler source shipped beside this
 * file (guest/supervisor.asm) and assembled at run time with isa-core's
 * assembler, so a reader can open it, change it and run the change. The
 * host finds everything it reads or writes in guest storage through the
 * assembly's symbol table; the source is the one place the layout is
 * written down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AssemblyResult, assemble } from '@strachey/isa-core';
import { type Diagnostic, UserError } from '../diagnostics';

/** The supervisor's source, and where it was read from. */
export interface GuestSource {
  /** Path for messages: where the text came from. */
  readonly file: string;
  readonly text: string;
}

/**
 * Where the source is: beside this module when the CLI runs from source
 * (tsx, vitest); from the tsup bundle (one file, so import.meta.url is
 * dist/main.js) either copied to dist/demo/guest/ or under the package's
 * src/demo/guest/.
 */
const CANDIDATES = [
  './guest/supervisor.asm',
  './demo/guest/supervisor.asm',
  '../src/demo/guest/supervisor.asm',
];

/** Read the supervisor's source shipped with the CLI. */
export function defaultGuestSource(): GuestSource {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return { file: path, text: readFileSync(path, 'utf8') };
  }
  throw new UserError(
    {
      code: 'GUEST_MISSING',
      message: `the demo's guest source supervisor.asm is not installed (looked for ${CANDIDATES.join(', ')} beside ${fileURLToPath(import.meta.url)})`,
    },
    70,
  );
}

/** Symbols the host needs, with what each must be. */
const REQUIRED = [
  'SLICE',
  'SIEVEN',
  'COLLATZN',
  'ROGUEN',
  'ARRAY',
  'TODSTART',
  'TODEND',
  'NSVC',
  'NEXT',
  'NPGM',
  'LOGCOUNT',
  'LOGCAP',
  'LOG',
  'EXTNEW',
  'TCBS',
  'TCBEND',
  'TCBLEN',
  'TCBPSW',
  'TCBCPU',
  'TCBNAME',
  'TCBRES',
  'TCBDISP',
  'TCBSVC',
  'TCBABEND',
  'TCBSTAT',
  'TCBNUM',
  'TCBABPSW',
] as const;

/** A symbol the host reads or writes. */
export type GuestSymbol = (typeof REQUIRED)[number];

/** The assembled supervisor and the values of the symbols the host uses. */
export interface AssembledGuest {
  readonly source: GuestSource;
  readonly assembly: AssemblyResult;
  readonly symbols: Readonly<Record<GuestSymbol, number>>;
}

/**
 * Assemble the supervisor. Assembly errors, a missing END entry point or a
 * symbol the host needs that the source no longer defines are user errors
 * located at file:line:column.
 */
export function assembleGuest(source: GuestSource): AssembledGuest {
  const assembly = assemble(source.text);
  if (!assembly.ok) {
    const diagnostics: Diagnostic[] = assembly.errors.map((e) => ({
      code: e.code,
      message: e.message,
      file: source.file,
      line: e.line,
      column: e.column,
    }));
    throw new UserError(diagnostics, 2);
  }
  const lastLine = source.text.split('\n').length;
  const byName = new Map(assembly.symbols.map((s) => [s.name, s.value]));
  const symbols = {} as Record<GuestSymbol, number>;
  const missing: Diagnostic[] = [];
  for (const name of REQUIRED) {
    const value = byName.get(name);
    if (value === undefined) {
      missing.push({
        code: 'GUEST_LAYOUT',
        message: `the demo host reads symbol ${name}, which the source does not define`,
        file: source.file,
        line: lastLine,
        column: 1,
      });
    } else {
      symbols[name] = value;
    }
  }
  if (missing.length > 0) throw new UserError(missing, 2);
  return { source, assembly, symbols };
}
