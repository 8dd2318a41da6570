// A VM/370-style Control Program on one simulated ESA/390 machine: two users
// from a z/VM user directory, each with a minidisk on one real 3390 volume,
// each running its own guest program, assembled here.
import { createCp, formatDirectoryError } from '@strachey/hypervisor-cp';
import { CkdVolume, formatVolume, geometry3390 } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';

// A real 3390 volume with 100 cylinders, labelled USR001.
const volume = new CkdVolume(geometry3390(100));
formatVolume(volume, 'USR001');

// The user directory (USER DIRECT syntax): a console and a 10-cylinder minidisk each.
const directory = `
USER ALICE ALICEPW 1M 16M G
 CONSOLE 009 3215
 MDISK 191 3390 1 10 USR001 MR
USER BOB BOBPW 1M 16M G
 CONSOLE 009 3215
 MDISK 191 3390 11 10 USR001 MR
`;
const created = createCp({ directory, volumes: [{ volser: 'USR001', volume }] });
if (!created.ok) throw new Error(created.errors.map(formatDirectoryError).join('\n'));
const { cp } = created;

// The guest adds up 1..N, stores the sum, asks CP two questions with
// DIAGNOSE X'008' (CP writes the answers on the user's console) and stops.
function guest(n: number) {
  const program = assemble(`
GUEST    START X'1000'
         BALR  12,0
         USING *,12
         L     3,N
         SR    2,2
LOOP     AR    2,3
         BCT   3,LOOP
         ST    2,SUM
         LA    4,Q1
         LA    5,L'Q1
         DIAG  4,5,X'008'
         LA    4,Q2
         LA    5,L'Q2
         DIAG  4,5,X'008'
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
N        DC    F'${n}'
SUM      DC    F'0'
Q1       DC    C'QUERY USERID'
Q2       DC    C'QUERY VIRTUAL DASD'
         END   GUEST`);
  if (!program.ok)
    throw new Error(program.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return program;
}

// LOGON both users, load each one's program into its guest storage, start it at X'1000'.
const sumAt = new Map<string, number>();
for (const [user, password, n] of [
  ['ALICE', 'ALICEPW', 20_000],
  ['BOB', 'BOBPW', 60_000],
] as const) {
  const logon = cp.logon(user, password);
  if (!logon.ok) throw new Error(logon.error.message);
  const program = guest(n);
  for (const chunk of program.chunks) logon.vm.load(chunk.address, chunk.bytes);
  sumAt.set(user, program.symbols.find((s) => s.name === 'SUM')!.value);
  logon.vm.start(0x00080000, 0x80001000);
}

// Run for at most 10 million simulated cycles; CP returns early once every VM waits.
const run = cp.run(10_000_000);
console.log(`CP ran ${run.cycles} simulated cycles (${run.reason}), ${cp.counters().dispatches} dispatches`);
for (const user of cp.users()) {
  const vm = cp.vm(user)!;
  const c = vm.counters;
  console.log(`${user}: ${vm.runState()}, SUM = ${vm.storage.read32(sumAt.get(user)!)}`);
  for (const line of vm.consoleLines) console.log(`  console: ${line}`);
  console.log(
    `  ${c.instructions} guest instructions, ${c.interceptions} interceptions, emulated ${JSON.stringify(c.emulated)}`,
  );
  console.log(
    `  overhead: (guest + CP cycles) / guest cycles = ${((c.guestCycles + c.cpCycles) / c.guestCycles).toFixed(3)}`,
  );
}
