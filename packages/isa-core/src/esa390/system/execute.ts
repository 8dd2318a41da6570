/**
 * Privileged and control instructions of ESA/390 (POP SA22-7201 chapter 10,
 * "Control Instructions"), plus SVC and STCK, executed out of line from the
 * core dispatcher so the hot dispatch function stays small.
 */
import type { Exit } from '../../framework/exit';
import type { Esa390Cpu } from '../cpu';

/**
 * Execute one system instruction. The core dispatcher has already done the
 * privileged-operation check for privileged rows. `key` is the opcode key
 * (see `opcodeKey` in table.ts), `w0` the first four instruction bytes as an
 * int32, `w1` bytes 4-5 (6-byte instructions only). Returns null when the
 * instruction completed (or raised a program interruption through
 * `cpu.programCheck`), or an Exit when the interception policy routes it to
 * the host (the instruction is then left unexecuted).
 */
export function executeSystem(cpu: Esa390Cpu, key: number, w0: number, w1: number): Exit | null {
  void key;
  void w0;
  void w1;
  return cpu.programCheck(0x0001);
}
