/**
 * README example 1: assemble a program, load it, run it on an ESA/390
 * machine and read the registers, with an instruction trace of the first
 * few instructions. `test/readme-examples.test.ts` runs this file.
 * Run it: npx tsx --conditions=@strachey/source examples/readme-sum.ts
 */
import { absoluteAddress, assemble, createEsa390Machine, formatAsmError, traceCpu } from '@strachey/isa-core';

export const SUM_SOURCE = `
SUM      START 0
         DC    X'00080000',A(BEGIN)   restart new PSW
         ORG   SUM+X'200'
BEGIN    BASR  12,0
         USING *,12
         SR    2,2                    the sum
         LA    3,10                   the count
LOOP     AR    2,3                    2 = 10 + 9 + ... + 1
         BCT   3,LOOP
         ST    2,RESULT
         LPSW  DONE                   disabled wait: the program's end
RESULT   DS    F
         DS    0D
DONE     DC    X'000A0000',A(X'DEAD')
         END   BEGIN`;

export function runSum() {
  const program = assemble(SUM_SOURCE);
  if (!program.ok) throw new Error(program.errors.map((e) => formatAsmError(e, 'sum.asm')).join('\n'));

  const machine = createEsa390Machine({ mainsize: 1 << 20 }); // 1 MB, one CPU, stopped
  for (const c of program.chunks) machine.storage.writeFrom(absoluteAddress(c.address), c.bytes);

  const cpu = machine.cpus[0]!;
  const trace: string[] = [];
  const detach = traceCpu(cpu, (line) => trace.push(line));
  machine.restart(); // restart interruption: the PSW at real 0 becomes current
  machine.run(4); // four instructions, traced
  detach(); // full speed again
  const exit = machine.run(1_000_000);

  const result = program.symbols.find((s) => s.name === 'RESULT')!.value;
  return {
    exit, // { reason: 'halted', exits: [{ reason: 'wait', enabled: false }] }
    psw: cpu.getPsw(), // [0x000A0000, 0x0000DEAD]
    gpr2: cpu.gpr[2], // 55
    stored: machine.storage.read32(absoluteAddress(result)), // 55
    trace, // 'CPU0000 00000200 0DC0         BASR  12,0', ...
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runSum();
  console.log(r.trace.join('\n'));
  console.log(r.exit, r.psw.map((w) => w.toString(16)), r.gpr2, r.stored);
}
