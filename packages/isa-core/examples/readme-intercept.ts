/**
 * README example 2: a host that traps and emulates. The guest runs in
 * problem state under the TRAP_AND_EMULATE policy, so its privileged STAP
 * comes back to the host as a typed exit instead of a program interruption;
 * the host emulates it (a virtual CPU address of 7), steps the PSW past it
 * and resumes. The guest's SVC 0 tells the host it is done.
 * `test/readme-examples.test.ts` runs this file.
 * Run it: npx tsx --conditions=@strachey/source examples/readme-intercept.ts
 */
import { absoluteAddress, assemble, createEsa390Machine, type Exit, PGM, TRAP_AND_EMULATE } from '@strachey/isa-core';

const GUEST = `
GUEST    START X'2000'
BEGIN    BASR  12,0
         USING *,12
         STAP  CPUADDR                privileged: the host sees it
         LH    2,CPUADDR
         SVC   0                      done
CPUADDR  DC    H'-1'
         END   BEGIN`;

export function runTrapAndEmulate() {
  const program = assemble(GUEST);
  if (!program.ok) throw new Error('assembly failed');
  const machine = createEsa390Machine({ mainsize: 1 << 20, policy: TRAP_AND_EMULATE });
  for (const c of program.chunks) machine.storage.writeFrom(absoluteAddress(c.address), c.bytes);

  const cpu = machine.cpus[0]!;
  cpu.setPsw(0x00090000, 0x80000000 | program.entry!); // problem state (bit 15), 31-bit
  cpu.state = 'operating';

  const exits: Exit[] = [];
  for (;;) {
    const x = machine.run(10_000);
    if (x.reason !== 'cpu' || x.exit.reason !== 'interception') throw new Error(`unexpected ${JSON.stringify(x)}`);
    const e = x.exit; // the PSW still points at the instruction: e.completed is false
    exits.push(e);
    if (e.kind === 'svc' && e.code === 0) break;
    if (e.kind === 'program' && e.code === PGM.PRIVILEGED_OPERATION && e.opcode === 0xb212) {
      // STAP D2(B2): the host computes the operand address and stores the virtual CPU address.
      const bd = cpu.read16(cpu.ia + 2);
      const b = bd >>> 12;
      const address = ((b === 0 ? 0 : cpu.gpr[b]!) + (bd & 0xfff)) & 0x7fffffff;
      cpu.write16(address, 7);
      cpu.ia = cpu.ia + e.length; // resume after the emulated instruction
      continue;
    }
    throw new Error(`cannot emulate ${JSON.stringify(e)}`);
  }
  return { exits, gpr2: cpu.gpr[2], programOldPsw: machine.storage.read32(absoluteAddress(0x28)) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(runTrapAndEmulate());
