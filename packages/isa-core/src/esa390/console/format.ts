/**
 * The console displays in Hercules 3.13's exact layouts (learned by running
 * it; see tooling/hercules-oracle/README.md), so that output of isa-core and
 * of Hercules can be compared line by line.
 */
import { FRAME_SHIFT, type SparseStorage } from '../../framework/storage';

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
const hex2 = (n: number): string => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');

/** `CPU0001: ` when the machine has more than one CPU (Hercules prefixes register lines then), else ''. */
export function cpuLinePrefix(cpuAddress: number, cpuCount: number): string {
  return cpuCount > 1 ? `CPU${cpuAddress.toString(16).toUpperCase().padStart(4, '0')}: ` : '';
}

/**
 * General or control registers, four per line:
 * `GR00=xxxxxxxx  GR01=xxxxxxxx  GR02=xxxxxxxx  GR03=xxxxxxxx`.
 */
export function formatRegisters(name: 'GR' | 'CR', values: ArrayLike<number>, linePrefix = ''): string[] {
  const lines: string[] = [];
  for (let r = 0; r < 16; r += 4) {
    const cells: string[] = [];
    for (let i = r; i < r + 4; i++) cells.push(`${name}${String(i).padStart(2, '0')}=${hex8(values[i] ?? 0)}`);
    lines.push(linePrefix + cells.join('  '));
  }
  return lines;
}

const ASC_NAMES = ['pri', 'ar', 'sec', 'home'] as const;

/**
 * The `psw` command's two lines: the fields
 * (`psw sm=00 pk=0 cmwp=A as=pri cc=0 pm=0 am=24 ia=DEAD`), then
 * `PSW=xxxxxxxx xxxxxxxx`.
 */
export function formatPswCommand(high: number, low: number): string[] {
  const h = high >>> 0;
  const l = low >>> 0;
  const sm = h >>> 24;
  const pk = (h >>> 20) & 0xf;
  const cmwp = (h >>> 16) & 0xf;
  const as = ASC_NAMES[(h >>> 14) & 3];
  const cc = (h >>> 12) & 3;
  const pm = (h >>> 8) & 0xf;
  const am = (l & 0x80000000) !== 0 ? '31' : '24';
  const ia = (l & ((l & 0x80000000) !== 0 ? 0x7fffffff : 0x00ffffff)).toString(16).toUpperCase();
  return [
    `psw sm=${hex2(sm)} pk=${pk} cmwp=${cmwp.toString(16).toUpperCase()} as=${as} cc=${cc} pm=${pm.toString(16).toUpperCase()} am=${am} ia=${ia}`,
    `PSW=${hex8(h)} ${hex8(l)}`,
  ];
}

/**
 * The character column of a storage display: byte → character as Hercules
 * 3.13 shows it (EBCDIC translated by its default code page, '.' for what
 * is not printable ASCII). Recorded from a Hercules run that displayed all
 * 256 byte values (tooling/hercules-oracle/test/fixtures/ebcdic-column.log).
 */
const DISPLAY_CHARS =
  '................................................................' +
  " ...........<(+.&.........!$*);^-/........|,%_>?.........`:#@'=\"" +
  '.abcdefghi.......jklmnopqr.......~stuvwxyz...[...............]..' +
  '{ABCDEFGHI......}JKLMNOPQR......\\.STUVWXYZ......0123456789......';

/** The character Hercules shows for a byte in the `r` display. */
export function displayChar(byte: number): string {
  return DISPLAY_CHARS[byte & 0xff]!;
}

/**
 * One line of the `r` display for real address `real`, whose absolute
 * address is `absolute`: `R:xxxxxxxx:K:kk=` + 36 columns of hex (a blank
 * after each byte that ends a word) + a blank + up to 16 characters. A line
 * shows 16 bytes or stops at the end of the 4 KB page. Reads storage without
 * setting reference bits, as a console display does.
 */
export function formatStorageLine(storage: SparseStorage, real: number, absolute: number): string {
  const head = `R:${hex8(real)}:`;
  if (absolute >= storage.size) return `${head} Real address is not valid`;
  const frameIndex = absolute >>> FRAME_SHIFT;
  const frame = storage.frameAt(frameIndex);
  let a = absolute;
  let hexPart = '';
  let chars = '';
  for (let i = 0; i < 16; i++) {
    const b = frame === undefined ? 0 : frame[a & 0xfff]!;
    a++;
    hexPart += hex2(b);
    if ((a & 3) === 0) hexPart += ' ';
    chars += displayChar(b);
    if ((a & 0xfff) === 0) break;
  }
  return `${head}K:${hex2(storage.keys[frameIndex]!)}=${hexPart.padEnd(36, ' ')} ${chars.padEnd(16, ' ')}`;
}
