/**
 * Expectations on CP's answers to commands, shared by the command tests.
 * Apart from rig.ts because it needs vitest's `expect`, and rig.ts is also
 * loaded outside vitest (bench/run.ts runs the hostile campaign).
 */
import { expect } from 'vitest';
import { type CommandResult, type ControlProgram, executeCommand, type VirtualMachine } from '../src/index';

/**
 * Expect CP's answer (executeCommand, as for the terminal) to each command
 * from `vm`, in order: the whole answer `{ rc, lines }`, or only its lines
 * where the row gives an array.
 */
export function expectAnswers(
  cp: ControlProgram,
  vm: VirtualMachine,
  rows: readonly (readonly [command: string, answer: CommandResult | readonly string[]])[],
): void {
  for (const [command, answer] of rows) {
    const got = executeCommand(cp, vm, command);
    if (Array.isArray(answer)) expect(got.lines, command).toEqual(answer);
    else expect(got, command).toEqual(answer);
  }
}
