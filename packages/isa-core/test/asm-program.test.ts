import { readFileSync } from 'node:fs';
import { herculesAvailable, runHerculesSettled } from '@strachey/hercules-oracle';
import { describe, expect, it } from 'vitest';
import {
  type AssemblyResult,
  assemble,
  formatListing,
  herculesAlterCommands,
  runConsoleScript,
} from '@strachey/isa-core';

const SUMUP = `*        Adds up a table of fullwords with a BCT loop.
SUMUP    START X'1000'
R1       EQU   1
R2       EQU   2
R3       EQU   3
R12      EQU   12
         BALR  R12,0                   base register
         USING *,R12
         L     R2,=F'4'                number of entries
         LA    R3,TABLE
         SR    R1,R1
LOOP     A     R1,0(,R3)
         LA    R3,4(,R3)
         BCT   R2,LOOP
         ST    R1,SUM
         MVC   MSG(L'TEXT),TEXT
         LPSW  WAITPSW
         LTORG
TABLE    DC    F'1,2,3,4'
SUM      DS    F
TEXT     DC    C'SUM'
MSG      DS    CL8
         DS    0D
WAITPSW  DC    X'000A0000',A(SUM)      disabled wait; the address shows SUM
         END   SUMUP
`;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('a realistic program: USING, literals, LTORG, DC/DS, EQU, a BCT loop', () => {
  const r = assemble(SUMUP);

  it('assembles without errors to the bytes worked out by hand from the POP formats', () => {
    expect(r.errors).toEqual([]);
    expect(r.origin).toBe(0x1000);
    expect(r.entry).toBe(0x1000);
    expect(r.chunks.map((c) => [c.address, hex(c.bytes)])).toEqual([
      [
        0x1000,
        '05C0' + // BALR 12,0
          '5820C026' + // L 2,=F'4'      literal at X'1028' = base X'1002' + X'26'
          '4130C02A' + // LA 3,TABLE     X'102C'
          '1B11' + // SR 1,1
          '5A103000' + // A 1,0(,3)
          '41303004' + // LA 3,4(,3)
          '4620C00A' + // BCT 2,LOOP     X'100C'
          '5010C03A' + // ST 1,SUM       X'103C'
          'D202C041C03E' + // MVC MSG(3),TEXT: X'1043', X'1040'
          '8200C04E', // LPSW WAITPSW   X'1050'
      ],
      [0x1028, '00000004' + '00000001000000020000000300000004'],
      [0x1040, 'E2E4D4'],
      [0x1050, '000A00000000103C'],
    ]);
    expect(r.image.length).toBe(0x58);
  });

  it('defines the symbols with their values, length attributes and types', () => {
    const sym = (name: string) => r.symbols.find((s) => s.name === name);
    expect(sym('LOOP')).toMatchObject({ value: 0x100c, length: 4, type: 'I', relocatable: true });
    expect(sym('TABLE')).toMatchObject({ value: 0x102c, length: 4, type: 'F' });
    expect(sym('SUM')).toMatchObject({ value: 0x103c, length: 4, type: 'F', references: [15, 24] });
    expect(sym('TEXT')).toMatchObject({ value: 0x1040, length: 3, type: 'C' });
    expect(sym('MSG')).toMatchObject({ value: 0x1043, length: 8, type: 'C' });
    expect(sym('WAITPSW')).toMatchObject({ value: 0x1050, length: 4, type: 'X' });
    expect(sym('R12')).toMatchObject({ value: 12, relocatable: false, type: 'U' });
  });

  it('lists it like an assembler listing: LOC, grouped object code, addresses, statement, source', () => {
    const lines = formatListing(r, { file: 'sumup.asm' }).split('\n');
    const line = (src: string) => lines.find((l) => l.endsWith(src))!;
    expect(line('L     R2,=F\'4\'                number of entries')).toMatch(
      /^001002 5820 C026\s+001028\s+9 {2,}L {5}R2,=F'4'/,
    );
    expect(line('MVC   MSG(L\'TEXT),TEXT')).toMatch(/^00101C D202 C041 C03E\s+001043 001040\s+16 {2}/);
    expect(lines.some((l) => /^001028 00000004\s+=F'4'$/.test(l))).toBe(true);
    expect(line("TABLE    DC    F'1,2,3,4'")).toMatch(/^00102C 0000000100000002\s+19 {2}/);
    expect(line('LTORG')).toMatch(/^001028\s+18 {2}/);
    expect(line('USING *,R12')).toMatch(/^\s+001002\s+8 {2}/);
    expect(lines).toContain('001034 0000000300000004');
    expect(lines.some((l) => /^LOOP\s+4 0000100C R I\s+12 {2}14$/.test(l))).toBe(true);
    expect(lines).toContain('No errors.');
  });
});

// Hercules 3.13 (Debian) as the oracle: run the assembled bytes and look at the registers.
const hasHercules = herculesAvailable();
// Room for the oracle's whole pause ladder (1 + 3 + 8 s plus start-ups) on a loaded machine.
const HERCULES_TIMEOUT = { timeout: 60_000 };

/**
 * Run commands, then restart and wait. `pause` is wall-clock time while the
 * guest runs on Hercules' CPU thread, so the oracle repeats the run with a
 * longer pause until Hercules printed the disabled wait before the displays
 * (a loaded machine is otherwise compared half-way through the program).
 */
async function runOnHercules(commands: string[], files: Readonly<Record<string, Uint8Array>> = {}): Promise<{ gpr: number[]; psw: string; output: string }> {
  const run = await runHerculesSettled({ script: [...commands, 'restart', 'pause 1', 'gpr', 'psw', 'quit', ''].join('\n'), files });
  const output = `${run.raw}${run.stderr}`;
  expect(run.complete, output.slice(-3000)).toBe(true);
  const gpr: number[] = [];
  for (const m of output.matchAll(/GR(\d\d)=([0-9A-F]{8})/g)) gpr[Number(m[1])] = Number.parseInt(m[2]!, 16);
  const psw = [...output.matchAll(/PSW=([0-9A-F]{8} [0-9A-F]{8})/g)].pop()?.[1] ?? '';
  return { gpr, psw, output };
}

function example(name: string): AssemblyResult {
  const r = assemble(readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8'));
  expect(r.errors).toEqual([]);
  return r;
}

describe('the example programs', () => {
  it('assemble without errors', () => {
    expect(example('hello.asm').entry).toBe(0x200);
    expect(example('bct-loop.asm').entry).toBe(0x200);
  });

  it('run on isa-core from the same console script (r commands, or loadcore of the flat image)', () => {
    const hello = example('hello.asm');
    const viaR = runConsoleScript([...herculesAlterCommands(hello.chunks), 'restart', 'pause 1', 'quit'].join('\n'), 'hello.rc');
    expect(viaR.ok).toBe(true);
    if (!viaR.ok) return;
    expect(viaR.error).toBeNull();
    expect(viaR.state.psw).toBe('000A000000000000');
    expect(viaR.state.gpr.slice(2, 6)).toEqual(['C8C5D3D3', '00000000', '00000005', '00000409']);

    const loop = example('bct-loop.asm');
    const viaLoadcore = runConsoleScript(`loadcore bct.bin ${loop.origin.toString(16)}\nrestart\npause 1\nquit\n`, 'bct.rc', {
      loadFile: (file) => (file === 'bct.bin' ? loop.image : { error: `no file ${file}` }),
    });
    expect(viaLoadcore.ok).toBe(true);
    if (!viaLoadcore.ok) return;
    expect(viaLoadcore.error).toBeNull();
    expect(viaLoadcore.state.psw).toBe('000A000000000000');
    expect(viaLoadcore.state.gpr.slice(1, 4)).toEqual(['00000BB8', '00000000', '00000003']);
  });

  it.skipIf(!hasHercules)('hello.asm leaves the results its header promises when Hercules runs it', HERCULES_TIMEOUT, async () => {
    const r = example('hello.asm');
    const { gpr, psw, output } = await runOnHercules(herculesAlterCommands(r.chunks));
    const greeting = r.symbols.find((s) => s.name === 'GREETING')!.value;
    expect(psw, output.slice(-3000)).toBe('000A0000 00000000');
    expect(gpr[2]).toBe(0xc8c5d3d3);
    expect(gpr[4]).toBe(5);
    expect(gpr[5]).toBe(0xc8 + 0xc5 + 0xd3 + 0xd3 + 0xd6);
    expect(gpr[9]).toBe(greeting);
  });

  it.skipIf(!hasHercules)('bct-loop.asm runs on Hercules from the flat image loaded with loadcore', HERCULES_TIMEOUT, async () => {
    const r = example('bct-loop.asm');
    const { gpr, psw, output } = await runOnHercules([`loadcore bct.bin ${r.origin.toString(16)}`], { 'bct.bin': r.image });
    expect(output).toContain(`${r.image.length} bytes read`);
    expect(psw).toBe('000A0000 00000000');
    expect(gpr[1]).toBe(3 * 1000);
    expect(gpr[2]).toBe(0);
    expect(gpr[3]).toBe(3);
  });

  it.skipIf(!hasHercules)('the SUMUP program adds its table on Hercules', HERCULES_TIMEOUT, async () => {
    const { gpr, psw, output } = await runOnHercules(['r 0=0008000000001000', ...herculesAlterCommands(r0().chunks)]);
    expect(psw, output.slice(-3000)).toBe('000A0000 0000103C');
    expect(gpr[1]).toBe(10);
    expect(gpr[2]).toBe(0);
    expect(gpr[3]).toBe(0x103c);
  });
});

function r0(): AssemblyResult {
  return assemble(SUMUP);
}
