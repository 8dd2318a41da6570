/**
 * The instruction trace: one line per instruction, before it executes, in a
 * fixed layout that stays the same from release to release so traces can be
 * compared with `diff` (and two runs of the same program give the same trace):
 *
 *     CPU0000 00000200 41100005     LA    1,5(0,0)
 *
 * columns: CPU address (4 hex digits), instruction address (8 hex digits),
 * the instruction bytes (up to 12 hex digits, left-justified), the
 * disassembly (mnemonic padded to 5, operands in assembler syntax, as the
 * disassembler prints them). Built on the CPU's trace hook, which the
 * interpreter checks once per run() call: with no tracer attached the hot
 * loop is not touched.
 */
import type { Esa390Cpu } from './cpu';
import { disassemble } from './asm/disassembler';

/** Options of `traceCpu`. */
export interface TraceOptions {
  /** Print extended mnemonics (BE, BR, J, ...) where the mask has one. Default false. */
  readonly extended?: boolean;
}

const bytes = new Uint8Array(6);

/** Read instruction bytes for display without disturbing the program: any access exception shows as '?'. */
function peek(cpu: Esa390Cpu, address: number, length: number): number {
  let n = 0;
  try {
    for (; n < length; n++) bytes[n] = cpu.read8(address + n);
  } catch {
    // An instruction the trace cannot read is shown with the bytes it could.
  }
  return n;
}

/** Format the trace line of the instruction of `length` bytes at logical `address` on `cpu`. */
export function formatTraceLine(cpu: Esa390Cpu, address: number, length: number, options: TraceOptions = {}): string {
  const n = peek(cpu, address, length);
  let hex = '';
  for (let i = 0; i < n; i++) hex += bytes[i]!.toString(16).toUpperCase().padStart(2, '0');
  if (n < length) hex += '?'.repeat(2 * (length - n));
  const text = n === length ? disassemble(bytes.subarray(0, n), address, options).text : '?';
  const cpuId = cpu.id.toString(16).toUpperCase().padStart(4, '0');
  const ia = (address >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `CPU${cpuId} ${ia} ${hex.padEnd(12)} ${text}`;
}

/**
 * Trace every instruction `cpu` executes into `sink`. Returns a function
 * that detaches the tracer (the CPU then runs at full speed again).
 */
export function traceCpu(cpu: Esa390Cpu, sink: (line: string) => void, options: TraceOptions = {}): () => void {
  const hook = (c: Esa390Cpu, address: number, length: number): void => sink(formatTraceLine(c, address, length, options));
  cpu.trace = hook;
  return () => {
    if (cpu.trace === hook) cpu.trace = null;
  };
}
