/**
 * The assembler listing, laid out like an HLASM listing: location counter,
 * object code (instructions grouped in halfwords as `5820 C010`,
 * `D207 1000 2000`; constants as one run, eight bytes per line), the
 * effective addresses of the storage operands, the statement number and the
 * source; then the symbol cross-reference and the diagnostics.
 */
import type { AsmError, AssemblyResult, ListedStatement } from './types';

/** Options of `formatListing`. */
export interface ListingOptions {
  /** File name shown in the heading and in diagnostics. */
  readonly file?: string;
}

function hexBytes(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to && i < bytes.length; i++) s += bytes[i]!.toString(16).toUpperCase().padStart(2, '0');
  return s;
}

/** Object code as HLASM groups it: instructions by halfword, data as one run. */
function objectCode(st: ListedStatement, from: number, to: number): string {
  if (st.kind === 'instruction') {
    const groups: string[] = [];
    for (let i = from; i < to && i < st.bytes.length; i += 2) groups.push(hexBytes(st.bytes, i, i + 2));
    return groups.join(' ');
  }
  return hexBytes(st.bytes, from, to);
}

/** `file:line:column: error CODE: message`, the form compilers and editors understand. */
export function formatAsmError(e: AsmError, file?: string): string {
  return `${file ? `${file}:` : ''}${e.line}:${e.column}: error ${e.code}: ${e.message}`;
}

/** The source line and a caret under the column of an error. */
export function formatAsmErrorContext(e: AsmError): string {
  return `${e.sourceLine}\n${' '.repeat(Math.max(0, e.column - 1))}^`;
}

/** Render the listing of an assembly. */
export function formatListing(result: AssemblyResult, options: ListingOptions = {}): string {
  const wide = result.statements.some((s) => (s.loc ?? 0) > 0xffffff || (s.addr1 ?? 0) > 0xffffff || (s.addr2 ?? 0) > 0xffffff);
  const w = wide ? 8 : 6;
  const addr = (v: number | undefined): string => (v === undefined ? ' '.repeat(w) : (v >>> 0).toString(16).toUpperCase().padStart(w, '0').slice(-w));
  const OBJ = 16;
  const out: string[] = [];
  if (options.file) out.push(`Assembly listing of ${options.file}${result.sectionName ? `, section ${result.sectionName}` : ''}`, '');
  out.push(`${'LOC'.padEnd(w)} ${'OBJECT CODE'.padEnd(OBJ)} ${'ADDR1'.padEnd(w)} ${'ADDR2'.padEnd(w)}  STMT  SOURCE STATEMENT`);
  const prefixBlank = ' '.repeat(w + 1 + OBJ + 1 + w + 1 + w + 1 + 6 + 2);
  for (const st of result.statements) {
    const isLiteral = st.literal;
    const perLine = st.kind === 'instruction' ? 6 : 8;
    const first = objectCode(st, 0, perLine);
    const num = String(st.stmt).padStart(6);
    const [firstLine, ...rest] = st.source.split('\n');
    out.push(
      `${addr(st.loc)} ${first.padEnd(OBJ)} ${addr(st.addr1)} ${addr(st.addr2)} ${isLiteral ? ' '.repeat(6) : num}  ${isLiteral ? `${' '.repeat(14)}${firstLine}` : firstLine}`.trimEnd(),
    );
    for (const more of rest) out.push(`${prefixBlank}${more}`.trimEnd());
    if (st.kind !== 'instruction') {
      for (let o = perLine; o < st.bytes.length; o += perLine) {
        out.push(`${addr((st.loc ?? 0) + o)} ${objectCode(st, o, o + perLine)}`);
      }
    }
    for (const e of st.errors) out.push(`*** ${formatAsmError(e, options.file)}`);
  }

  out.push('', 'SYMBOL CROSS-REFERENCE', '');
  out.push(`${'SYMBOL'.padEnd(16)} ${'LENGTH'.padStart(6)} ${'VALUE'.padEnd(8)} R TYPE ${'LINE'.padStart(6)}  REFERENCED ON LINES`);
  for (const s of result.symbols) {
    const name = s.name.length > 16 ? `${s.name}\n${' '.repeat(16)}` : s.name.padEnd(16);
    out.push(
      `${name} ${String(s.length).padStart(6)} ${(s.value >>> 0).toString(16).toUpperCase().padStart(8, '0')} ${s.dsect ? 'D' : s.relocatable ? 'R' : 'A'} ${s.type.padEnd(4)} ${String(s.line).padStart(6)}  ${s.references.join(' ')}`.trimEnd(),
    );
  }

  const statements = result.statements.filter((s) => !s.literal).length;
  out.push('', 'DIAGNOSTICS', '');
  if (result.errors.length === 0) out.push('No errors.');
  for (const e of result.errors) out.push(formatAsmError(e, options.file));
  const size = result.image.length;
  out.push(
    '',
    `${statements} statement${statements === 1 ? '' : 's'}, ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; ` +
      `object code X'${size.toString(16).toUpperCase()}' bytes at origin X'${(result.origin >>> 0).toString(16).toUpperCase().padStart(w, '0')}'` +
      (result.entry !== undefined ? `, entry X'${(result.entry >>> 0).toString(16).toUpperCase().padStart(w, '0')}'` : ''),
  );
  return `${out.join('\n')}\n`;
}
