/**
 * Guest programs of the reproductions: ESA/390 assembler source shipped in
 * repro/guests/ and assembled at run time, so a reader can open the
 * workload, change it and rerun the figure. The host finds the words it sets
 * or reads through the assembly's symbol table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assemble } from '@strachey/isa-core';
import { UserError } from '../diagnostics';

/** An assembled guest: its chunks, entry point and symbols. */
export interface AssembledGuest {
  readonly file: string;
  readonly chunks: readonly { readonly address: number; readonly bytes: Uint8Array }[];
  readonly entry: number;
  /** Address of a symbol the host needs; throws if the source lost it. */
  symbol(name: string): number;
}

/**
 * Where the sources are: beside this module when the CLI runs from source
 * (tsx, vitest, the sweep workers); from a tsup bundle (dist/main.js or
 * dist/sweep-worker.js) copied to dist/repro/guests/, or under the
 * package's src/repro/guests/.
 */
const DIRECTORIES = ['./guests/', './repro/guests/', '../src/repro/guests/'];

/** Read and assemble guests/NAME. Throws UserError if it is missing or does not assemble. */
export function loadGuest(name: string): AssembledGuest {
  let file: string | undefined;
  for (const dir of DIRECTORIES) {
    const path = fileURLToPath(new URL(dir + name, import.meta.url));
    if (existsSync(path)) {
      file = path;
      break;
    }
  }
  if (file === undefined) {
    throw new UserError(
      {
        code: 'GUEST_MISSING',
        message: `the reproduction guest ${name} is not installed (looked in ${DIRECTORIES.join(', ')} beside ${fileURLToPath(import.meta.url)})`,
      },
      70,
    );
  }
  const r = assemble(readFileSync(file, 'utf8'));
  if (!r.ok) {
    throw new UserError(
      r.errors.map((e) => ({
        code: 'ASSEMBLY',
        file: file as string,
        line: e.line,
        column: e.column,
        message: e.message,
      })),
    );
  }
  const symbols = new Map(r.symbols.map((s) => [s.name, s.value]));
  return {
    file,
    chunks: r.chunks.map((c) => ({ address: c.address, bytes: c.bytes })),
    entry: r.entry ?? r.origin,
    symbol(n) {
      const v = symbols.get(n);
      if (v === undefined)
        throw new UserError(
          { code: 'GUEST_SYMBOL', file: file as string, message: `the guest has no symbol ${n}` },
          70,
        );
      return v;
    },
  };
}

/** A fullword as four big-endian bytes (what a guest's DC F'n' holds). */
export function word(value: number): Uint8Array {
  return Uint8Array.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}
