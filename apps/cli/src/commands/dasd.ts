/**
 * `strachey dasd init FILE --type 3390 [--cylinders N] --volser VOL001
 * [--format strachey|hercules] [--force]` creates and formats a 3390 volume
 * image (VOL1 label at cylinder 0, head 0, record 3, as real volumes have);
 * `strachey dasd info FILE [--records]` describes one. The work is done by
 * @strachey/io-channel (`dasdInit`, `dasdInfo`); errors print as
 * `file: error CODE: message`. Nothing is overwritten without --force, and
 * images are written atomically.
 */
import { type DasdToolResult, dasdInfo, dasdInit } from '@strachey/io-channel';
import type { Command } from 'commander';
import { type Diagnostic, UserError } from '../diagnostics';

function finish(r: DasdToolResult): void {
  if (!r.ok) {
    const d: Diagnostic = r.error.file === undefined ? { code: r.error.code, message: r.error.message } : { code: r.error.code, message: r.error.message, file: r.error.file };
    throw new UserError(d);
  }
  for (const line of r.lines) process.stdout.write(`${line}\n`);
}

/** Register `strachey dasd` on the program. */
export function registerDasd(program: Command): void {
  const dasd = program.command('dasd').description('create and inspect 3390 DASD volume images (Strachey or Hercules CKD format)');
  dasd
    .command('init')
    .description('create and format a volume image with a VOL1 label')
    .argument('<file>', 'image file to create')
    .requiredOption('--volser <volser>', 'volume serial, 1-6 characters')
    .option('--type <type>', 'device type: 3390, 3390-1, 3390-2, 3390-3, 3390-9', '3390')
    .option('--cylinders <n>', 'number of cylinders (default: the model size)')
    .option('--format <format>', 'image format: strachey (sparse) or hercules (uncompressed CKD, for Hercules)', 'strachey')
    .option('--force', 'overwrite an existing file')
    .action((file: string, o: { volser: string; type: string; cylinders?: string; format: string; force?: boolean }) => {
      let cylinders: number | undefined;
      if (o.cylinders !== undefined) {
        cylinders = /^\d+$/.test(o.cylinders) ? Number(o.cylinders) : Number.NaN;
        if (Number.isNaN(cylinders)) throw new UserError({ code: 'DASD_CYLINDERS', message: `--cylinders must be a positive integer, got "${o.cylinders}"` });
      }
      if (o.format !== 'strachey' && o.format !== 'hercules') throw new UserError({ code: 'DASD_FORMAT', message: `--format must be strachey or hercules, got "${o.format}"` });
      finish(dasdInit({ file, type: o.type, volser: o.volser, format: o.format, ...(cylinders !== undefined ? { cylinders } : {}), ...(o.force ? { force: true } : {}) }));
    });
  dasd
    .command('info')
    .description('describe a volume image: format, geometry, volser, what is written')
    .argument('<file>', 'image file')
    .option('--records', 'also list the records of every written track')
    .action((file: string, o: { records?: boolean }) => {
      finish(dasdInfo(file, { records: o.records === true }));
    });
}
