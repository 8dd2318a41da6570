/**
 * The README's examples are real: each `examples/readme-*.ts` runs here and
 * its architected results are checked, and every code block the README
 * marks with `<!-- example: FILE -->` must appear verbatim in that file, so
 * the README cannot drift from code that runs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { absoluteAddress, createEsa390Machine, type Esa390MachineExit } from '@strachey/isa-core';
import { programInterruption, runToWait, startCpu } from '@strachey/isa-core/testing';
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

describe('the README limits are true', () => {
  const PROGRAM_NEW_WAIT = [0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x0d, 0xea];
  function firstInterruption(bytes: readonly number[], pswHigh = 0x00080000): { exit: Esa390MachineExit; code: number } {
    const m = createEsa390Machine({ mainsize: 1 << 16 });
    m.storage.writeFrom(absoluteAddress(0x68), Uint8Array.from(PROGRAM_NEW_WAIT));
    m.storage.writeFrom(absoluteAddress(0x1000), Uint8Array.from(bytes));
    const cpu = startCpu(m, 0x1000);
    cpu.setPsw(pswHigh, 0x80001000);
    const exit = m.run(100);
    return { exit, code: programInterruption(cpu).code };
  }

  it.each([
    ['AP (decimal add)', [0xfa, 0x00, 0x00, 0x00, 0x00, 0x00]],
    ['ZAP', [0xf8, 0x00, 0x00, 0x00, 0x00, 0x00]],
    ['ED', [0xde, 0x00, 0x00, 0x00, 0x00, 0x00]],
    ['LE (floating point)', [0x78, 0x00, 0x00, 0x00]],
    ['ADR (floating point)', [0x2a, 0x00]],
    ['LAM (access registers)', [0x9a, 0x00, 0x00, 0x00]],
    ['EAR', [0xb2, 0x4f, 0x00, 0x00]],
    ['BAKR (linkage stack)', [0xb2, 0x40, 0x00, 0x00]],
    ['PC (program call)', [0xb2, 0x18, 0x00, 0x00]],
    ['MVCP', [0xda, 0x00, 0x00, 0x00, 0x00, 0x00]],
    ['MVCLE', [0xa8, 0x00, 0x00, 0x00]],
    ['TRAP2', [0x01, 0xff]],
    ['XSCH', [0xb2, 0x76, 0x00, 0x00]],
    ['SAL', [0xb2, 0x37, 0x00, 0x00]],
    ['SCHM', [0xb2, 0x3c, 0x00, 0x00]],
    ['SIE on a bare machine', [0xb2, 0x14, 0x00, 0x00]],
    ['LRA without a DAT port', [0xb1, 0x00, 0x00, 0x00]],
  ])('%s is an operation exception in supervisor state', (_, bytes) => {
    const r = firstInterruption(bytes);
    expect(r.exit).toEqual({ reason: 'halted', exits: [{ reason: 'wait', enabled: false }] });
    expect(r.code).toBe(1);
  });

  it('turning DAT on without a DAT port check-stops the CPU with that reason', () => {
    const r = firstInterruption([0x18, 0x12], 0x04080000);
    expect(r.exit.reason).toBe('halted');
    const exit = r.exit.reason === 'halted' ? r.exit.exits[0] : undefined;
    expect(exit?.reason).toBe('check-stop');
    expect(exit?.reason === 'check-stop' ? exit.why : '').toMatch(/DAT/);
  });

  it('the PER mask is accepted and changes nothing: the program runs to its operation exception at X1002', () => {
    const m = createEsa390Machine({ mainsize: 1 << 16 });
    m.storage.writeFrom(absoluteAddress(0x68), Uint8Array.from(PROGRAM_NEW_WAIT));
    m.storage.writeFrom(absoluteAddress(0x1000), Uint8Array.from([0x18, 0x12, 0x00, 0x00]));
    const cpu = startCpu(m, 0x1000);
    expect(cpu.setPsw(0x40080000, 0x80001000)).toBe(true);
    runToWait(m);
    expect(programInterruption(cpu)).toEqual({ code: 1, ilc: 1, oldPsw: [0x40080000, 0x80001004] });
  });
});
