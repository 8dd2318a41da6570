/**
 * Test rigs shared by the CP test files: a CP built from a directory and its
 * real volumes, users logged on, small assembled guests loaded into them, and
 * the assembler fragments those guests have in common. Each helper throws on
 * a setup failure (a bad directory, a refused LOGON, an assembly error):
 * those are mistakes in the test, not behaviour under test.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import {
  type ControlProgram,
  type CpOptions,
  createCp,
  type ExecutionStyle,
  type VirtualMachine,
} from '../src/index';
import { assembleGuest, kernelVolume, placeMinidisk } from './helpers';

/** createCp that throws the directory's errors instead of returning them. */
export function cpFrom(
  directory: string,
  volumes: CpOptions['volumes'],
  options: Omit<CpOptions, 'directory' | 'volumes'> = {},
): ControlProgram {
  const r = createCp({ directory, volumes, ...options });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.cp;
}

/** A real 3390 with a copy of the MINIKERN disk (helpers.kernelVolume) as a minidisk at each start cylinder. */
export function kernelMinidisks(cylinders: number, starts: readonly number[]): CkdVolume {
  const real = new CkdVolume(geometry3390(cylinders));
  for (const start of starts) placeMinidisk(real, start, kernelVolume());
  return real;
}

/** LOGON that throws CP's refusal. */
export function logonUser(cp: ControlProgram, user: string, style?: ExecutionStyle): VirtualMachine {
  const l = cp.logon(user, undefined, style === undefined ? {} : { style });
  if (!l.ok) throw new Error(l.error.message);
  return l.vm;
}

/** Assemble `source`, load it and start virtual CPU 0 at its entry (EC mode, 31-bit, supervisor state, disabled). */
export function loadGuest(vm: VirtualMachine, source: string): void {
  const g = assembleGuest(source);
  for (const c of g.chunks) vm.load(c.address, c.bytes);
  vm.start(0x00080000, 0x80000000 | g.entry);
}

/** LOGON `user` and start `source` in its virtual machine. */
export function bootGuest(
  cp: ControlProgram,
  user: string,
  source: string,
  style?: ExecutionStyle,
): VirtualMachine {
  const vm = logonUser(cp, user, style);
  loadGuest(vm, source);
  return vm;
}

/** The unsigned word at guest real address `a`. */
export const word = (vm: VirtualMachine, a: number): number => vm.storage.read32(a) >>> 0;

/**
 * Assembler: the format-0 chain that reads one 80-byte record — SEEK to
 * `SEEK`, SEARCH ID EQUAL `ID`, TIC back to the search, READ DATA into
 * `into` with the read's `flags` (X'20' SLI, X'24' SLI+IDA, X'60' CC+SLI) —
 * labelled `label`. No trailing newline.
 */
export function readRecordCcws(label: string, into: string, flags = '20', read = '06'): string {
  return `${label.padEnd(9)}DC    X'07',X'40',AL2(6),A(SEEK)
         DC    X'31',X'40',AL2(5),A(ID)
         DC    X'08',X'00',AL2(0),A(${label}+8)
         DC    X'${read}',X'${flags}',AL2(80),A(${into})`;
}

/** Assembler: SEEK and ID for cylinder 1 head 0 record 1 of a minidisk (the MINIKERN disk's greeting). */
export const CYLINDER1_RECORD1 = `SEEK     DC    X'000000010000'
ID       DC    X'0001000001'`;

/** Assembler: enable the subchannel whose SID is in GR1 (STSCH, set the E bit, MSCH) through `SCHIB`. */
export const ENABLE_SUBCHANNEL = `         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB`;

/**
 * Assembler: the opening of a guest at X'1000' (base GR12) that enables the
 * subchannel whose SID is `sid` (eight hex digits, X'0001000n' for
 * subchannel n) and starts the I/O its ORB describes; the caller defines ORB
 * and SCHIB. Starts with a newline, no trailing newline.
 */
export function startSubchannel(sid: string): string {
  return `
T        START X'1000'
         BALR  12,0
         USING *,12
         L     1,=X'${sid}'
${ENABLE_SUBCHANNEL}
         SSCH  ORB`;
}

/** Assembler: the same read as a DIAGNOSE X'018' chain (format 0, labelled CCWS) into X'600', cylinder 1 record 1. */
export const DIAG18_READ_CCWS = `CCWS     DC    X'07',AL3(SEEK),X'40',X'00',AL2(6)
         DC    X'31',AL3(ID),X'40',X'00',AL2(5)
         DC    X'08',AL3(CCWS+8),X'00',X'00',AL2(0)
         DC    X'06',AL3(X'600'),X'20',X'00',AL2(80)
${CYLINDER1_RECORD1}`;

/**
 * Assembler: DIAGNOSE X'008' (the CP command QUERY TIME at the caller's `CMD`,
 * 10 bytes) issued directly, then twice as the target of EXECUTE, the second
 * time with a command address outside the guest's storage. GR8 counts the
 * instruction after the direct DIAGNOSE, GR9 those after each EX (AFTER labels
 * the one after the second). The program handler PGMH keeps the interruption
 * identification (X'88'-X'8F') at X'400' and the program old PSW at X'408';
 * both paths end in `exit`. PGMNEW, the program new PSW, ends the fragment;
 * the caller supplies CMD, the literal pool and what `exit` names. No
 * trailing newline.
 */
export function diagnoseUnderExecute(exit: string): string {
  return `         MVC   X'68'(8),PGMNEW
         LA    2,CMD
         LA    7,10
         DIAG  2,7,X'008'
         LA    8,1(8)
         LA    7,10
         EX    0,DIAGI
         LA    9,1(9)
         L     2,=A(X'7FFFF000')
         LA    7,10
         EX    0,DIAGI
AFTER    LA    9,1(9)
         ${exit}
PGMH     MVC   X'400'(8),X'88'
         MVC   X'408'(8),X'28'
         ${exit}
DIAGI    DIAG  2,7,X'008'
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMH)`;
}
