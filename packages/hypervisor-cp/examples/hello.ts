/**
 * The README example: a one-user CP, a guest that asks CP for the time
 * with DIAGNOSE X'008'. Run: npx tsx --conditions=@strachey/source examples/hello.ts
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';
import { createCp, formatDirectoryError } from '../src/index';

export function hello() {
  const directory = `
USER CMSUSER CMSUSER 16M 64M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 MDISK 191 3390 211 100 VMUSR1 MR
`;
  const r = createCp({ directory, volumes: [{ volser: 'VMUSR1', volume: new CkdVolume(geometry3390(3339)) }] });
  if (!r.ok) throw new Error(r.errors.map(formatDirectoryError).join('\n'));
  const { cp } = r;
  const logon = cp.logon('CMSUSER', 'CMSUSER');
  if (!logon.ok) throw new Error(logon.error.message);
  const program = assemble(`
HELLO    START X'1000'
         BALR  12,0
         USING *,12
         LA    2,CMD
         LA    3,10
         DIAG  2,3,X'008'        CP QUERY TIME, answer on the console
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
CMD      DC    C'QUERY TIME'
         END   HELLO`);
  if (!program.ok) throw new Error('assembly');
  for (const c of program.chunks) logon.vm.load(c.address, c.bytes);
  logon.vm.start(0x00080000, 0x80001000);
  cp.run(10_000_000);
  return { cp, vm: logon.vm };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { cp, vm } = hello();
  console.log(vm.consoleLines);
  console.log(cp.counters().users.CMSUSER);
}
