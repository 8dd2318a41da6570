/**
 * The IoHandler contract: what the ESA/390 CPU relies on when it hands a
 * channel-subsystem instruction to an injected handler (POP SA22-7201
 * chapter 14, "I/O Instructions"; chapter 16, "I/O Interruptions"). The CPU
 * has already made the privileged-operation check, the word-boundary check of
 * the operand and the GR1 format check (bits 0-15 = X'0001') before it calls
 * `execute`, so the contract only issues instructions that pass them.
 */
import { absoluteAddress } from '../framework/addresses';
import type { IoHandler, IoInstruction, IoOperandAccess } from '../framework/io';
import type { StoragePort } from '../framework/storage';
import { type ContractCase, hex, violation, xorshift32 } from './contract';

function fail(message: string): never {
  return violation('I/O handler', message);
}

/** Program-interruption code of the addressing exception, what the operand accessors report beyond storage. */
const ADDRESSING = 0x05;

/**
 * An `IoOperandAccess` over absolute storage, as a CPU with DAT off and PSW
 * key `pswKey` gives it (no key-controlled protection is modelled: key 0
 * is the usual supervisor case). An operand beyond `storage.size` reports the
 * addressing exception (code 5) and moves no byte, as the CPU's accessors do.
 * For handler tests that want to issue instructions without a CPU.
 */
export function storageOperandAccess(storage: StoragePort, gpr: Int32Array = new Int32Array(16), pswKey = 0): IoOperandAccess {
  const inside = (address: number, length: number): boolean => address >= 0 && address + length <= storage.size;
  return {
    gpr,
    pswKey,
    fetch(address, target, length) {
      if (!inside(address, length)) return ADDRESSING;
      storage.readInto(absoluteAddress(address), target, 0, length);
      return 0;
    },
    store(address, data) {
      if (!inside(address, data.length)) return ADDRESSING;
      storage.writeFrom(absoluteAddress(address), data);
      return 0;
    },
  };
}

/** What the contract needs of an I/O handler implementation. */
export interface IoHandlerSubject {
  /** A fresh handler: nothing pending, no instruction issued yet. */
  readonly handler: IoHandler;
  /** The main storage the handler's channel programs and the instruction operands use (at least 64 KB). */
  readonly storage: StoragePort;
  /**
   * Subsystem-identification words (GR1: X'0001' ‖ subchannel number) of
   * subchannels this handler does not have. Default: subchannel X'FFFF'.
   */
  readonly absent?: readonly number[];
  /**
   * Subsystem-identification words of subchannels the handler has, used by the
   * random probe (SSCH with random ORBs and so on). Default: none.
   */
  readonly present?: readonly number[];
  /**
   * Make one I/O interruption of interruption subclass `isc` (0-7) pending:
   * e.g. start a channel program on a device whose subchannel has that ISC
   * and let the clock run until it ends. Without it the cases about pending
   * interruptions are left out of the suite (the suite names them).
   */
  readonly makePending?: (isc: number) => void;
}

/** The subchannel-directed instructions (everything but TPI, which names no subchannel). */
const SUBCHANNEL_INSTRUCTIONS: readonly IoInstruction[] = ['SSCH', 'TSCH', 'STSCH', 'MSCH', 'HSCH', 'CSCH', 'RSCH'];
/** Where the contract stages storage operands: word-aligned, inside the first 64 KB. */
const OPERAND = 0x8000;
/** The ISC bit of CR6 for subclass `isc` (CR6 bits 0-7 are the subclass masks). */
const iscBit = (isc: number): number => (0x80000000 >>> isc) >>> 0;

function isResult(r: number): boolean {
  return Number.isInteger(r) && ((r >= 0 && r <= 3) || (r < 0 && r >= -0xffff));
}

function issue(subject: IoHandlerSubject, instruction: IoInstruction, sid: number, operand = OPERAND): number {
  const gpr = new Int32Array(16);
  gpr[1] = sid | 0;
  const r = subject.handler.execute(instruction, operand, storageOperandAccess(subject.storage, gpr));
  if (!isResult(r)) fail(`${instruction} (GR1 ${hex(sid)}) returned ${r}: expected a condition code 0-3 or a negative program-interruption code`);
  return r;
}

/**
 * The IoHandler contract. `make()` returns a fresh subject each time.
 *
 * 1. a subchannel the handler does not have is not operational: condition
 *    code 3 for SSCH, TSCH, STSCH, MSCH, HSCH, CSCH and RSCH (operands zero,
 *    i.e. a valid format-0 ORB and SCHIB);
 * 2. with nothing pending TPI sets condition code 0 and stores nothing,
 *    `hasPending()` is false and `takeInterruption` finds nothing;
 * 3. whatever the operands (a seeded random probe of every instruction on
 *    present and absent subchannels, operands also at the end of storage),
 *    `execute` returns a condition code 0-3 or a negative
 *    program-interruption code and never throws;
 * 4. (with `makePending`) the listener given to `setPendingListener` is
 *    called when an interruption becomes pending, and `hasPending()` is true;
 * 5. (with `makePending`) TPI takes a pending interruption: condition code 1,
 *    the interruption code (subsystem-identification word, parameter) stored
 *    at the operand, and the interruption is no longer pending (POP "TEST
 *    PENDING INTERRUPTION");
 * 6. (with `makePending`) `takeInterruption(cr6)` takes only an interruption
 *    whose subclass is enabled in CR6 bits 0-7; it returns the subsystem-
 *    identification word (X'0001' ‖ subchannel) and the subclass, and the
 *    interruption is then no longer pending.
 */
export function ioHandlerContract(make: () => IoHandlerSubject): ContractCase[] {
  const cases: ContractCase[] = [
    {
      name: 'a subchannel that does not exist is not operational (cc 3) for every subchannel instruction',
      run: () => {
        const subject = make();
        subject.storage.writeFrom(absoluteAddress(OPERAND), new Uint8Array(96));
        for (const sid of subject.absent ?? [0x0001ffff]) {
          for (const ins of SUBCHANNEL_INSTRUCTIONS) {
            const r = issue(subject, ins, sid);
            if (r !== 3) fail(`${ins} of subchannel ${hex(sid & 0xffff)}, which does not exist, gave ${r < 0 ? `program code ${hex(-r)}` : `cc ${r}`}, expected cc 3`);
          }
        }
      },
    },
    {
      name: 'with nothing pending TPI sets cc 0 and stores nothing, and no interruption can be taken',
      run: () => {
        const subject = make();
        const h = subject.handler;
        if (h.hasPending()) fail('a fresh handler has an interruption pending');
        if (h.takeInterruption(0xff000000) !== null) fail('a fresh handler gave an interruption to takeInterruption');
        const before = new Uint8Array(12).fill(0xee);
        subject.storage.writeFrom(absoluteAddress(OPERAND), before);
        const r = issue(subject, 'TPI', 0);
        if (r !== 0) fail(`TPI with nothing pending gave ${r}, expected cc 0`);
        const after = new Uint8Array(12);
        subject.storage.readInto(absoluteAddress(OPERAND), after);
        if (after.some((b) => b !== 0xee)) fail('TPI with nothing pending stored into its operand');
      },
    },
    {
      name: 'any operands give a condition code 0-3 or a negative program-interruption code, never a throw',
      run: () => {
        const subject = make();
        subject.handler.setPendingListener(() => {});
        const next = xorshift32(0x10c0de);
        const sids = [...(subject.present ?? []), ...(subject.absent ?? [0x0001ffff]), 0x00010000, 0x00010001];
        const all: readonly IoInstruction[] = [...SUBCHANNEL_INSTRUCTIONS, 'TPI'];
        const size = subject.storage.size;
        for (let k = 0; k < 300; k++) {
          const ins = all[next() % all.length]!;
          const sid = sids[next() % sids.length]!;
          // Mostly a random operand in the staging area; sometimes the last words of storage.
          const operand = next() % 8 === 0 ? (size - 4 * (1 + (next() % 8))) >>> 0 : OPERAND;
          if (operand === OPERAND) {
            const bytes = new Uint8Array(96);
            for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
            subject.storage.writeFrom(absoluteAddress(OPERAND), bytes);
          }
          try {
            issue(subject, ins, sid, operand);
            subject.handler.takeInterruption(next() & 0xff000000);
            subject.handler.hasPending();
          } catch (e) {
            const why = e instanceof Error ? e.message : String(e);
            if (why.startsWith('I/O handler contract')) throw e;
            fail(`${ins} (GR1 ${hex(sid)}, operand at ${hex(operand)}, probe ${k}) threw: ${why}`);
          }
        }
      },
    },
  ];
  const probe = make();
  if (probe.makePending === undefined) return cases;
  cases.push(
    {
      name: 'the pending listener is called when an interruption becomes pending',
      run: () => {
        const subject = make();
        let calls = 0;
        subject.handler.setPendingListener(() => {
          calls++;
        });
        subject.makePending!(3);
        if (calls === 0) fail('makePending(3) made an interruption pending without calling the pending listener');
        if (!subject.handler.hasPending()) fail('hasPending() is false after makePending(3)');
      },
    },
    {
      name: 'TPI takes a pending interruption: cc 1, the interruption code stored at the operand, no longer pending',
      run: () => {
        const subject = make();
        const h = subject.handler;
        h.setPendingListener(() => {});
        subject.makePending!(2);
        subject.storage.writeFrom(absoluteAddress(OPERAND), new Uint8Array(8).fill(0xee));
        // TPI names no subchannel; the operand access carries no CR6, so no subclass is masked.
        const r = issue(subject, 'TPI', 0);
        if (r !== 1) fail(`TPI with an interruption pending gave ${r < 0 ? `program code ${hex(-r)}` : `cc ${r}`}, expected cc 1`);
        const sid = subject.storage.read32(absoluteAddress(OPERAND)) >>> 0;
        if (sid >>> 16 !== 0x0001) fail(`TPI stored subsystem-identification word ${hex(sid)}, which does not start X'0001'`);
        if (h.hasPending()) fail('the interruption TPI took is still pending');
        if (h.takeInterruption(0xff000000) !== null) fail('the interruption TPI took was taken again');
      },
    },
    {
      name: 'takeInterruption takes only an interruption whose subclass is enabled in CR6, once',
      run: () => {
        for (const isc of [0, 5, 7]) {
          const subject = make();
          const h = subject.handler;
          h.setPendingListener(() => {});
          subject.makePending!(isc);
          if (h.takeInterruption(0) !== null) fail(`ISC ${isc}: an interruption was taken with every subclass masked (CR6 = 0)`);
          const others = (0xff000000 & ~iscBit(isc)) >>> 0;
          if (h.takeInterruption(others) !== null) fail(`ISC ${isc}: taken with only the other subclasses enabled (CR6 = ${hex(others)})`);
          if (!h.hasPending()) fail(`ISC ${isc}: a masked interruption stopped being pending`);
          const got = h.takeInterruption(iscBit(isc));
          if (got === null) fail(`ISC ${isc}: nothing taken with CR6 = ${hex(iscBit(isc))}`);
          if (got.isc !== isc) fail(`ISC ${isc}: the interruption taken reports ISC ${got.isc}`);
          if (got.subsystemId >>> 16 !== 0x0001) fail(`ISC ${isc}: subsystem-identification word ${hex(got.subsystemId)} does not start X'0001'`);
          if (h.takeInterruption(0xff000000) !== null) fail(`ISC ${isc}: the same interruption was taken twice`);
          if (h.hasPending()) fail(`ISC ${isc}: still pending after it was taken`);
        }
      },
    },
  );
  return cases;
}
