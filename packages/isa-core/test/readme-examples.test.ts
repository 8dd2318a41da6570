/**
 * The README's examples are real: each `examples/readme-*.ts` runs here and
 * its architected results are checked, and every code block the README
 * marks with `<!-- example: FILE -->` must appear verbatim in that file, so
 * the README cannot drift from code that runs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTrapAndEmulate } from '../examples/readme-intercept';
import { runSum } from '../examples/readme-sum';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README example 1: assemble, load, run, read registers', () => {
  it('ends in the disabled wait it loads, with 10 + 9 + ... + 1 = 55 in GR2 and in RESULT', () => {
    const r = runSum();
    expect(r.exit).toEqual({ reason: 'halted', exits: [{ reason: 'wait', enabled: false }] });
    expect(r.psw).toEqual([0x000a0000, 0x0000dead]);
    expect(r.gpr2).toBe(55);
    expect(r.stored).toBe(55);
  });

  it('traces the first four instructions in the stable trace format, then runs untraced', () => {
    expect(runSum().trace).toEqual([
      'CPU0000 00000200 0DC0         BASR  12,0',
      'CPU0000 00000202 1B22         SR    2,2',
      'CPU0000 00000204 4130000A     LA    3,10(0,0)',
      'CPU0000 00000208 1A23         AR    2,3',
    ]);
  });
});

describe('README example 2: trap and emulate', () => {
  it('STAP in problem state reaches the host as a privileged-operation exit, SVC 0 as an SVC exit; the guest sees the emulated result', () => {
    const r = runTrapAndEmulate();
    expect(r.exits).toEqual([
      { reason: 'interception', kind: 'program', code: 2, opcode: 0xb212, length: 4, completed: false },
      { reason: 'interception', kind: 'svc', code: 0, opcode: 0x0a, length: 2, completed: false },
    ]);
    expect(r.gpr2).toBe(7);
    // The guest never took a program interruption of its own.
    expect(r.programOldPsw).toBe(0);
  });
});

describe('the README shows the examples verbatim', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)];
  it('marks at least the two example blocks', () => {
    expect(blocks.map((b) => b[1])).toEqual(expect.arrayContaining(['examples/readme-sum.ts', 'examples/readme-intercept.ts']));
  });
  for (const [, file, code] of blocks) {
    it(`the block from ${file} is in the file`, () => {
      const source = readFileSync(join(root, file!), 'utf8');
      for (const chunk of code!.split(/\n\s*\/\/ \.\.\.\n/)) expect(source).toContain(chunk.trim());
    });
  }
});
