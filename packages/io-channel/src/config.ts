/**
 * Hercules-style configuration files (the oracle's `h.cnf`), so the same
 * file configures Hercules and a Strachey machine: system statements
 * (MAINSIZE, NUMCPU, ARCHMODE/ARCHLVL; the others are accepted and ignored)
 * and device statements `DEVNUM DEVTYPE [arguments]`, as Hercules 3.13's
 * configuration reference describes them:
 *
 *   0009 3215-C / noprompt        console (3215 or 3215-C; arguments ignored)
 *   000C 3505 cards.txt ascii eof card reader (also 2540R, 1442, 2501); files are read now
 *   000D 3525 punch.txt ascii     card punch (also 2540P); written by flush()
 *   000E 1403 print.txt           printer (also 3211, 3203); written by flush()
 *   0190 3390 vol.3390            3390 DASD: a Strachey or Hercules CKD image
 *   00C0 3270                     3270 display
 *
 * Files are relative to the configuration file's directory. Problems are
 * returned as located errors; nothing is attached unless the whole file is
 * good.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ChannelSubsystem } from './channel-subsystem';
import type { Device } from './device';
import { CardPunch2540, CardReader2540 } from './devices/card-2540';
import { Console3215 } from './devices/console-3215';
import { Dasd3390 } from './devices/dasd-3390';
import { Display3270 } from './devices/display-3270';
import { Printer1403 } from './devices/printer-1403';
import { fromEbcdic } from './ebcdic';

/** A problem in a configuration file, located. */
export interface ConfigError {
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One configured device. */
export interface ConfiguredDevice {
  readonly deviceNumber: number;
  /** The device type as written (3390, 3215-C, 3505, …). */
  readonly type: string;
  readonly device: Device;
}

/** A parsed configuration: system settings, devices, and how to write their output back. */
export interface MachineConfig {
  /** MAINSIZE in bytes (the statement gives megabytes), if given. */
  readonly mainsize?: number;
  readonly cpus?: number;
  readonly archmode?: string;
  readonly devices: readonly ConfiguredDevice[];
  /** Attach every device to `channels`, in file order (so subchannel numbers follow the file, as in Hercules). */
  attach(channels: ChannelSubsystem): void;
  /** Write printer and punch output files and changed DASD images (atomically). */
  flush(): void;
}

export type ConfigResult = { readonly ok: true; readonly config: MachineConfig } | { readonly ok: false; readonly errors: readonly ConfigError[] };

const IGNORED = new Set(['CPUSERIAL', 'CPUMODEL', 'XPNDSIZE', 'PANRATE', 'CPUVERID', 'LOADPARM', 'SYSEPOCH', 'TZOFFSET', 'OSTAILOR', 'CNSLPORT', 'HTTPPORT', 'HTTPROOT', 'ECPSVM', 'DIAG8CMD', 'LPARNAME', 'LPARNUM', 'MAXCPU', 'NUMVEC', 'TODDRAG', 'SHCMDOPT', 'CODEPAGE', 'PGMPRDOS', 'IODELAY', 'TIMERINT', 'DEVTMAX', 'LEGACYSENSEID', 'MODPATH', 'LDMOD', 'AUTO_SCSI_MOUNT', 'MOUNTED_TAPE_REINIT', 'ENGINES', 'HERCPRIO', 'CPUPRIO', 'DEVPRIO', 'TODPRIO', 'ASN_AND_LX_REUSE', 'ALRF']);

/** What the host does with device output that has no file behind it. */
export interface MachineConfigOptions {
  /** Called with each line a console (3215/1052) writes, as ASCII, with the console's device number. */
  readonly consoleLine?: (deviceNumber: number, line: string) => void;
}

/** Parse a configuration file's text. `file` names it in errors and anchors relative paths. */
export function parseMachineConfig(text: string, file: string, hostOptions: MachineConfigOptions = {}): ConfigResult {
  const errors: ConfigError[] = [];
  const devices: ConfiguredDevice[] = [];
  const outputs: { kind: 'print' | 'punch'; path: string; device: Printer1403 | CardPunch2540; ascii: boolean }[] = [];
  const dasds: Dasd3390[] = [];
  const seen = new Set<number>();
  let mainsize: number | undefined;
  let cpus: number | undefined;
  let archmode: string | undefined;
  const base = dirname(file);
  const resolve = (p: string): string => (isAbsolute(p) ? p : join(base, p));

  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.indexOf('#');
    const body = hash >= 0 ? raw.slice(0, hash) : raw;
    if (body.trim() === '' || body.trimStart().startsWith('*')) return;
    const words: { text: string; column: number }[] = [];
    for (const m of body.matchAll(/\S+/g)) words.push({ text: m[0], column: (m.index ?? 0) + 1 });
    const first = words[0]!;
    const err = (code: string, message: string, column: number): void => {
      errors.push({ code, message, file, line, column });
    };
    const keyword = first.text.toUpperCase();
    if (!/^([0-9A-F]:)?[0-9A-F]{1,4}([-.,][0-9A-F]{1,4})?$/i.test(first.text) || (words.length === 1 && !/^[0-9]/.test(first.text))) {
      const value = words[1]?.text;
      switch (keyword) {
        case 'MAINSIZE': {
          const mb = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN;
          if (!(mb >= 1 && mb <= 2048)) err('CONFIG_VALUE', `MAINSIZE needs megabytes 1-2048, found "${value ?? ''}"`, words[1]?.column ?? first.column);
          else mainsize = mb * 1024 * 1024;
          return;
        }
        case 'NUMCPU': {
          const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN;
          if (!(n >= 1 && n <= 64)) err('CONFIG_VALUE', `NUMCPU needs 1-64, found "${value ?? ''}"`, words[1]?.column ?? first.column);
          else cpus = n;
          return;
        }
        case 'ARCHMODE':
        case 'ARCHLVL': {
          const v = (value ?? '').toUpperCase();
          if (v !== 'ESA/390' && v !== 'ESA390') err('CONFIG_VALUE', `only ESA/390 is supported here, found "${value ?? ''}"`, words[1]?.column ?? first.column);
          else archmode = 'ESA/390';
          return;
        }
        default:
          if (!IGNORED.has(keyword)) err('CONFIG_STATEMENT', `unknown statement "${first.text}"`, first.column);
          return;
      }
    }
    // A device statement.
    if (/[-.,]/.test(first.text)) {
      err('CONFIG_DEVICE_RANGE', `device ranges ("${first.text}") are not supported; give one statement per device`, first.column);
      return;
    }
    const deviceNumber = Number.parseInt(first.text.includes(':') ? first.text.split(':')[1]! : first.text, 16);
    if (seen.has(deviceNumber)) {
      err('CONFIG_DUPLICATE_DEVICE', `device ${hex4(deviceNumber)} is defined twice`, first.column);
      return;
    }
    const typeWord = words[1];
    if (typeWord === undefined) {
      err('CONFIG_DEVICE_TYPE', `device ${hex4(deviceNumber)} needs a device type`, first.column + first.text.length);
      return;
    }
    const type = typeWord.text.toUpperCase();
    const args = words.slice(2);
    const options = new Set(args.map((a) => a.text.toLowerCase()));
    let device: Device | undefined;
    switch (type) {
      case '3215':
      case '3215-C':
      case '1052':
      case '1052-C':
        {
          const consoleLine = hostOptions.consoleLine;
          device = new Console3215(consoleLine ? { onLine: (line) => consoleLine(deviceNumber, line) } : {});
        }
        break;
      case '3270':
      case '3287':
        device = new Display3270();
        break;
      case '3505':
      case '2540R':
      case '1442':
      case '2501': {
        const files = args.filter((a) => !/^(ascii|ebcdic|eof|intrq|multifile|trunc|autopad|\*)$/i.test(a.text));
        const cards: (string | Uint8Array)[] = [];
        for (const f of files) {
          try {
            const bytes = readFileSync(resolve(f.text));
            if (options.has('ebcdic')) for (let o = 0; o < bytes.length; o += 80) cards.push(Uint8Array.from(bytes.subarray(o, o + 80)));
            else for (const l of bytes.toString('latin1').split(/\r?\n/).filter((l, k, all) => k < all.length - 1 || l !== '')) cards.push(l);
          } catch (e) {
            err('CONFIG_FILE', `cannot read card file "${f.text}": ${(e as Error).message}`, f.column);
          }
        }
        device = new CardReader2540(cards);
        break;
      }
      case '3525':
      case '2540P': {
        const f = args[0];
        if (f === undefined) {
          err('CONFIG_FILE', `punch ${hex4(deviceNumber)} needs an output file`, typeWord.column + typeWord.text.length);
          return;
        }
        const punch = new CardPunch2540();
        outputs.push({ kind: 'punch', path: resolve(f.text), device: punch, ascii: options.has('ascii') });
        device = punch;
        break;
      }
      case '1403':
      case '3211':
      case '3203': {
        const f = args[0];
        if (f === undefined) {
          err('CONFIG_FILE', `printer ${hex4(deviceNumber)} needs an output file`, typeWord.column + typeWord.text.length);
          return;
        }
        const printer = new Printer1403();
        outputs.push({ kind: 'print', path: resolve(f.text), device: printer, ascii: true });
        device = printer;
        break;
      }
      case '3390':
      case '3390-1':
      case '3390-2':
      case '3390-3':
      case '3390-9': {
        const f = args[0];
        if (f === undefined) {
          err('CONFIG_FILE', `DASD ${hex4(deviceNumber)} needs an image file`, typeWord.column + typeWord.text.length);
          return;
        }
        const opened = Dasd3390.open(resolve(f.text));
        if (!opened.ok) {
          err(opened.error.code, `${opened.error.file}: ${opened.error.message}${opened.error.offset > 0 ? ` (at byte ${opened.error.offset})` : ''}`, f.column);
          return;
        }
        dasds.push(opened.device);
        device = opened.device;
        break;
      }
      default:
        err('CONFIG_DEVICE_TYPE', `device type "${typeWord.text}" is not supported (3390, 3215, 3270, 3505, 3525, 1403 and their aliases are)`, typeWord.column);
        return;
    }
    seen.add(deviceNumber);
    devices.push({ deviceNumber, type, device });
  });

  if (errors.length > 0) return { ok: false, errors };
  const config: MachineConfig = {
    ...(mainsize !== undefined ? { mainsize } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(archmode !== undefined ? { archmode } : {}),
    devices,
    attach(channels: ChannelSubsystem): void {
      for (const d of devices) channels.attach(d.deviceNumber, d.device);
    },
    flush(): void {
      for (const o of outputs) {
        const text = o.kind === 'print' ? (o.device as Printer1403).text() : (o.device as CardPunch2540).cards.map((c) => `${fromEbcdic(c).trimEnd()}\n`).join('');
        const bytes = o.kind === 'punch' && !o.ascii ? Buffer.concat((o.device as CardPunch2540).cards.map((c) => Buffer.from(c))) : Buffer.from(text, 'latin1');
        const tmp = `${o.path}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, o.path);
      }
      for (const d of dasds) d.flush();
    },
  };
  return { ok: true, config };
}

/** Read and parse a configuration file. */
export function loadMachineConfig(file: string, hostOptions: MachineConfigOptions = {}): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ code: 'CONFIG_FILE', message: `cannot read: ${(e as Error).message}`, file, line: 0, column: 0 }] };
  }
  return parseMachineConfig(text, file, hostOptions);
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
