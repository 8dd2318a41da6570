/**
 * `strachey repro` lists the reproductions; `strachey repro NAME [--json]
 * [--out DIR]` runs one: it prints its table and explanation (or, with
 * --json, its figures as JSON) and with --out writes its data and charts.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics';
import { findReproduction, reproductions } from '../repro/registry';
import type { RegisterCommand } from './index';

/** Where the command writes (injectable for tests). */
export interface ReproIo {
  out(text: string): void;
  err(text: string): void;
}

/** Options of `strachey repro`. */
export interface ReproOptions {
  readonly json?: boolean;
  readonly out?: string;
}

/** Write a file by writing a temporary file beside it and renaming it, so a reader never sees half a file. */
function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** List the reproductions or run one. Throws UserError for an unknown name or an unwritable directory. */
export function runRepro(name: string | undefined, options: ReproOptions, io: ReproIo): void {
  if (name === undefined) {
    if (options.json) {
      io.out(
        `${JSON.stringify(
          reproductions.map(({ name, title, source }) => ({ name, title, source })),
          null,
          2,
        )}\n`,
      );
    } else {
      const width = Math.max(...reproductions.map((r) => r.name.length));
      io.out(`${reproductions.map((r) => `${r.name.padEnd(width)}  ${r.title}`).join('\n')}\n`);
    }
    return;
  }
  const repro = findReproduction(name);
  if (repro === undefined) {
    throw new UserError({
      code: 'UNKNOWN_REPRODUCTION',
      message: `no reproduction named '${name}'; expected one of: ${reproductions.map((r) => r.name).join(', ')}`,
    });
  }
  const result = repro.run();
  io.out(options.json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
  if (options.out !== undefined) {
    const dir = resolve(options.out);
    try {
      mkdirSync(dir, { recursive: true });
      for (const f of result.files) writeAtomic(join(dir, basename(f.name)), f.content);
    } catch (error) {
      throw new UserError({
        code: 'OUT_DIR_UNWRITABLE',
        file: dir,
        message: `cannot write the output files: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    // Keep stdout pure JSON under --json.
    const note = `wrote ${result.files.length} files to ${dir}\n`;
    if (options.json) io.err(note);
    else io.out(note);
  }
}

/** Register `strachey repro`. */
export const registerRepro: RegisterCommand = (program: Command) => {
  program
    .command('repro')
    .description('regenerate a figure of the seed documents by simulation (no name: list them)')
    .argument('[name]', 'reproduction to run')
    .option('--json', 'print the figures as JSON')
    .option('--out <dir>', 'write JSON, CSV and SVG charts to this directory')
    .action((name: string | undefined, options: ReproOptions) => {
      runRepro(name, options, {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
    });
};
