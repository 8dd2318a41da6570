/**
 * The InterceptionPolicy contract: a policy is consulted by the CPU on rare
 * events only, so it must answer like a pure function (a boolean, the same
 * answer every time, never a throw), and the ESA/390 CPU must route exactly
 * what the policy names to the host: a program interruption, an SVC, or a
 * privileged or sensitive instruction before it executes. The second half
 * runs small programs on a real `createEsa390Machine` under the policy.
 */
import { absoluteAddress } from '../framework/addresses';
import type { InterceptionKind, InterceptionPolicy } from '../framework/exit';
import { createEsa390Machine, type Esa390Machine, type Esa390MachineExit } from '../esa390/machine';
import { ESA390_INSTRUCTIONS } from '../esa390/table';
import { type ContractCase, hex, violation } from './contract';

function fail(message: string): never {
  return violation('interception policy', message);
}

const PROGRAM_CODES = Array.from({ length: 0x40 }, (_, i) => i + 1);
const SVC_NUMBERS = Array.from({ length: 256 }, (_, i) => i);
/**
 * SSK and ISK are S/370 instructions that Hercules 3.13 rejects with the
 * operation exception in ESA/390 mode before any interception is considered,
 * so a policy naming them is never asked.
 */
const NEVER_ASKED = new Set(['SSK', 'ISK']);
/** The instructions the CPU asks `instruction()` about: the privileged rows, and STCK. */
const ASKED = ESA390_INSTRUCTIONS.filter((r) => (r.privileged || r.mnemonic === 'STCK') && !NEVER_ASKED.has(r.mnemonic));

/** Where the probe programs run, and the new PSWs that mark which interruption was taken. */
const AT = 0x1000;
const PROGRAM_NEW_IA = 0x600;
const SVC_NEW_IA = 0x500;
const SUPERVISOR = 0x00080000;
const PROBLEM = 0x00090000;

function probeMachine(policy: InterceptionPolicy, bytes: readonly number[], pswHigh: number): Esa390Machine {
  const m = createEsa390Machine({ mainsize: 64 * 1024, policy });
  m.storage.write32(absoluteAddress(0x60), 0x000a0000);
  m.storage.write32(absoluteAddress(0x64), SVC_NEW_IA);
  m.storage.write32(absoluteAddress(0x68), 0x000a0000);
  m.storage.write32(absoluteAddress(0x6c), PROGRAM_NEW_IA);
  m.storage.writeFrom(absoluteAddress(AT), Uint8Array.from(bytes));
  const cpu = m.cpus[0]!;
  cpu.setPsw(pswHigh, 0x80000000 | AT);
  cpu.state = 'operating';
  return m;
}

const show = (x: Esa390MachineExit): string => JSON.stringify(x);

function expectInterception(
  x: Esa390MachineExit,
  m: Esa390Machine,
  kind: InterceptionKind,
  code: number,
  length: number,
  what: string,
): void {
  if (x.reason !== 'cpu' || x.exit.reason !== 'interception') fail(`${what}: expected an interception exit, got ${show(x)}`);
  const e = x.exit;
  if (e.kind !== kind || e.code !== code) fail(`${what}: expected kind '${kind}' code ${hex(code)}, got ${show(x)}`);
  if (e.length !== length || e.completed) fail(`${what}: expected an unexecuted ${length}-byte instruction, got ${show(x)}`);
  const ia = m.cpus[0]!.getPsw()[1] & 0x7fffffff;
  if (ia !== AT) fail(`${what}: the PSW must still point at the instruction (${hex(AT)}), it points at ${hex(ia)}`);
}

function expectDelivered(x: Esa390MachineExit, m: Esa390Machine, newIa: number, what: string): void {
  if (x.reason !== 'halted') fail(`${what}: expected the guest's own interruption (a wait at ${hex(newIa)}), got ${show(x)}`);
  const ia = m.cpus[0]!.getPsw()[1] & 0x7fffffff;
  if (ia !== newIa) fail(`${what}: expected the guest's new PSW (address ${hex(newIa)}), the PSW address is ${hex(ia)}`);
}

/**
 * The InterceptionPolicy contract for `policy`:
 * 1. a non-empty name; `program`, `svc` and `instruction` answer a boolean,
 *    the same one when asked again, for every program-interruption code
 *    1-X'40', every SVC number and every mnemonic of the instruction table;
 * 2. a privileged operation in problem state (code 2) and an operation
 *    exception (code 1) go to the host, with the PSW left at the
 *    instruction, exactly when `program(code)` says so, and otherwise to the
 *    guest's program new PSW;
 * 3. SVC n goes to the host exactly when `svc(n)` says so, for every n;
 * 4. every privileged instruction (and STCK) the policy names is intercepted
 *    in supervisor state before it executes (kind 'instruction', its opcode
 *    and length, PSW at it); one it does not name is not.
 */
export function interceptionPolicyContract(policy: InterceptionPolicy): ContractCase[] {
  return [
    {
      name: `${policy.name || '(unnamed)'}: answers every question with a boolean, the same one every time`,
      run: () => {
        if (typeof policy.name !== 'string' || policy.name.length === 0) fail('name must be a non-empty string');
        const ask = (what: string, f: () => unknown): void => {
          let a: unknown;
          let b: unknown;
          try {
            a = f();
            b = f();
          } catch (e) {
            fail(`${what} threw: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (typeof a !== 'boolean') fail(`${what} answered ${String(a)}, not a boolean`);
          if (a !== b) fail(`${what} answered ${String(a)}, then ${String(b)}`);
        };
        for (const c of PROGRAM_CODES) ask(`program(${hex(c)})`, () => policy.program(c));
        for (const n of SVC_NUMBERS) ask(`svc(${n})`, () => policy.svc(n));
        for (const r of ESA390_INSTRUCTIONS) ask(`instruction('${r.mnemonic}')`, () => policy.instruction(r.mnemonic));
      },
    },
    {
      name: `${policy.name || '(unnamed)'}: a program interruption goes to the host exactly when program(code) says so`,
      run: () => {
        const probes: { code: number; bytes: number[]; psw: number; length: number; what: string }[] = [
          { code: 0x02, bytes: [0x80, 0x00, 0x00, 0x00], psw: PROBLEM, length: 4, what: 'SSM in problem state (privileged operation)' },
          { code: 0x01, bytes: [0x00, 0x00], psw: SUPERVISOR, length: 2, what: 'opcode X\'00\' (operation exception)' },
        ];
        for (const p of probes) {
          const m = probeMachine(policy, p.bytes, p.psw);
          const x = m.run(10);
          if (policy.program(p.code)) {
            expectInterception(x, m, 'program', p.code, p.length, p.what);
            if (m.storage.read32(absoluteAddress(0x8c)) !== 0) fail(`${p.what}: an intercepted program interruption must not store an interruption code`);
          } else {
            expectDelivered(x, m, PROGRAM_NEW_IA, p.what);
            const code = m.storage.read16(absoluteAddress(0x8e));
            if (code !== p.code) fail(`${p.what}: the guest's program-interruption code is ${hex(code)}, expected ${hex(p.code)}`);
          }
        }
      },
    },
    {
      name: `${policy.name || '(unnamed)'}: SVC n goes to the host exactly when svc(n) says so`,
      run: () => {
        for (const n of SVC_NUMBERS) {
          const m = probeMachine(policy, [0x0a, n], SUPERVISOR);
          const x = m.run(10);
          if (policy.svc(n)) expectInterception(x, m, 'svc', n, 2, `SVC ${n}`);
          else {
            expectDelivered(x, m, SVC_NEW_IA, `SVC ${n}`);
            const id = m.storage.read32(absoluteAddress(0x88));
            if (id !== (0x00020000 | n)) fail(`SVC ${n}: the guest's SVC interruption code is ${hex(id)}, expected ${hex(0x00020000 | n)}`);
          }
        }
      },
    },
    {
      name: `${policy.name || '(unnamed)'}: the instructions it names are intercepted before they execute, the others are not`,
      run: () => {
        for (const row of ASKED) {
          const op = row.opcode;
          const bytes = new Array<number>(row.length).fill(0);
          if (row.opcodeBits === 8) bytes[0] = op;
          else {
            bytes[0] = op >>> 8;
            bytes[1] = op & 0xff;
          }
          const m = probeMachine(policy, bytes, SUPERVISOR);
          const x = m.run(1);
          const what = `${row.mnemonic} in supervisor state`;
          if (policy.instruction(row.mnemonic)) {
            if (x.reason !== 'cpu' || x.exit.reason !== 'interception' || x.exit.kind !== 'instruction') {
              fail(`${what}: the policy names it, but the exit was ${show(x)}`);
            }
            if (x.exit.opcode !== op) fail(`${what}: the interception reports opcode ${hex(x.exit.opcode)}, expected ${hex(op)}`);
            expectInterception(x, m, 'instruction', x.exit.code, row.length, what);
          } else if (x.reason === 'cpu' && x.exit.reason === 'interception' && x.exit.kind === 'instruction') {
            fail(`${what}: the policy does not name it, but it was intercepted: ${show(x)}`);
          }
        }
      },
    },
  ];
}
