/**
 * `strachey asm FILE [-o OUT] [--listing [FILE]] [--rc FILE] [--json]`:
 * assemble ESA/390 source with @strachey/isa-core. The image written by -o
 * is flat from the lowest assembled address, so `loadcore OUT ADDR` loads it
 * on Hercules and in `strachey run`; --rc writes `r ADDR=HEX` console
 * commands that load the same bytes. Nothing is written when the source has
 * errors, and every file is written atomically (temporary file, then rename).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type AssemblyResult,
  assemble,
  formatAsmError,
  formatAsmErrorContext,
  formatListing,
  herculesAlterCommands,
} from '@strachey/isa-core';
import type { Command } from 'commander';
import { fsErrorText } from '../fs-util';

/** Options of `strachey asm`, as commander parses them. */
export interface AsmCommandOptions {
  readonly output?: string;
  /** true: print the listing; a string: write it to that file. */
  readonly listing?: string | boolean;
  readonly rc?: string;
  readonly json?: boolean;
}

/** Where the command writes its text (the terminal, or a test's buffers). */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_IO: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Write a file so that a reader never sees half of it and a failure leaves the old file as it was. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

const hex = (v: number, width = 6): string => (v >>> 0).toString(16).toUpperCase().padStart(width, '0');

function located(file: string, code: string, message: string): string {
  return `${file}: error ${code}: ${message}\n`;
}

function jsonReport(file: string, r: AssemblyResult, written: Record<string, string>): string {
  return `${JSON.stringify(
    {
      ok: r.ok,
      file,
      section: r.sectionName ?? null,
      origin: r.origin,
      length: r.image.length,
      entry: r.entry ?? null,
      chunks: r.chunks.map((c) => ({ address: c.address, length: c.bytes.length })),
      symbols: r.symbols,
      errors: r.errors,
      written,
    },
    null,
    2,
  )}\n`;
}

/**
 * Run `strachey asm` and return its exit code: 0 assembled, 1 errors in the
 * source or in the command line (the message says where), 2 a file could not
 * be read or written.
 */
export function runAsm(file: string, options: AsmCommandOptions, io: CommandIo = PROCESS_IO): number {
  const source = resolve(file);
  const outputs = { '-o': options.output, '--listing': typeof options.listing === 'string' ? options.listing : undefined, '--rc': options.rc };
  for (const [flag, path] of Object.entries(outputs)) {
    if (path !== undefined && resolve(path) === source) {
      io.stderr(located(file, 'OVERWRITE_SOURCE', `${flag} ${path} names the source file; refusing to overwrite it`));
      return 1;
    }
  }
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    io.stderr(located(file, 'READ', `cannot read the source: ${(error as Error).message}`));
    return 2;
  }

  const r = assemble(text);
  const written: Record<string, string> = {};
  const listing = options.listing === undefined || options.listing === false ? undefined : formatListing(r, { file });
  // The file being written when a write fails: the diagnostic names it, not the source.
  let writing = file;
  try {
    // A listing is useful precisely when there are errors, so it is produced either way.
    if (listing !== undefined && typeof options.listing === 'string') {
      writing = options.listing;
      writeFileAtomic(options.listing, listing);
      written.listing = options.listing;
    }
    if (r.ok && options.output !== undefined) {
      writing = options.output;
      writeFileAtomic(options.output, r.image);
      written.image = options.output;
    }
    if (r.ok && options.rc !== undefined) {
      writing = options.rc;
      const lines = herculesAlterCommands(r.chunks);
      writeFileAtomic(options.rc, lines.length > 0 ? `${lines.join('\n')}\n` : '');
      written.rc = options.rc;
    }
  } catch (error) {
    io.stderr(located(writing, 'WRITE', `cannot write: ${fsErrorText(error)}`));
    return 2;
  }

  if (options.json) {
    io.stdout(jsonReport(file, r, written));
  } else {
    if (listing !== undefined && options.listing === true) io.stdout(listing);
    for (const e of r.errors) io.stderr(`${formatAsmError(e, file)}\n${formatAsmErrorContext(e)}\n`);
    if (r.ok) {
      const where = `X'${hex(r.origin)}'`;
      io.stderr(`${file}: ${r.image.length} bytes of object code at ${where}${r.entry !== undefined ? `, entry X'${hex(r.entry)}'` : ''}\n`);
      if (written.image) io.stderr(`wrote ${written.image}; load it with: loadcore ${written.image} ${hex(r.origin, 1)}\n`);
      if (written.rc) io.stderr(`wrote ${written.rc}: r commands that load the program (then: restart)\n`);
    } else {
      io.stderr(`${file}: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}; nothing written${written.listing ? ' but the listing' : ''}\n`);
    }
    if (written.listing) io.stderr(`wrote listing ${written.listing}\n`);
  }
  return r.ok ? 0 : 1;
}

/** Register `strachey asm` on the program. */
export function registerAsm(program: Command): void {
  program
    .command('asm')
    .description('assemble ESA/390 source (HLASM-flavoured) into a loadable image, a listing or a Hercules script')
    .argument('<file>', 'assembler source file')
    .option('-o, --output <file>', 'write the flat binary image (from the lowest assembled address)')
    .option('--listing [file]', 'print the listing, or write it to a file')
    .option('--rc <file>', 'write Hercules console commands (r ADDR=HEX) that load the program')
    .option('--json', 'print the result as JSON (symbols, chunks, errors)')
    .action((file: string, options: AsmCommandOptions) => {
      process.exitCode = runAsm(file, options);
    });
}
