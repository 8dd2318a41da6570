/**
 * Privileged and control instructions of ESA/390 (POP SA22-7201 chapter 10,
 * "Control Instructions"), the channel-subsystem instructions (chapter 14),
 * SVC and STCK, executed out of line from the core dispatcher so the hot
 * dispatch function stays small.
 *
 * Behaviour checked on Hercules 3.13 where the POP leaves room:
 * - LPSW of an invalid PSW is an early exception: the PSW is loaded, the
 *   program old PSW is that invalid PSW, ILC 0.
 * - SSM (and STOSM/STNSM) with bits 0 or 2-4 of the new mask on: the mask is
 *   set, then the specification exception is taken with ILC 2 and the old PSW
 *   holding the invalid mask. SSM with CR0 bit 1 on: special-operation
 *   exception, mask unchanged.
 * - DIAGNOSE with a function code the machine does not know: specification
 *   exception (Hercules' answer for every code it does not implement).
 * - SPX naming storage that is not installed: addressing exception.
 * - SIE: not installed on a bare machine (operation exception) unless the
 *   policy hands it to a host or the machine was given a `SieFacility`.
 *
 * Without a DAT port (`cpu.dat === null`) the machine is one on which DAT
 * cannot be used: LRA raises the operation exception (there are no tables to
 * walk), IPTE still sets the invalid bit of the page-table entry in storage
 * (its storage effect is defined without DAT) and PTLB has no TLB to purge.
 */
import type { Exit } from '../../framework/exit';
import type { IoInstruction } from '../../framework/io';
import { KEY_CHANGE, KEY_REF } from '../../framework/storage';
import type { AbsoluteAddress } from '../../framework/addresses';
import { Access } from '../../framework/translator';
import type { Esa390Cpu } from '../cpu';
import { PSW_DAT } from '../psw';
import { ESA390_INSTRUCTIONS } from '../table';
import { channelInstruction } from './channel';
import { LOWCORE, refreshPending, swapPsw } from './interrupts';
import { signalProcessor } from './sigp';
import { CR0_SSM_SUPPRESSION, systemOf } from './state';
import { cpuTimerMicros, setCpuTimer, setTod, storeClockMicros, updateTimers } from './timing';
import { microsToWords, signedWordsToMicros, unsignedWordsToMicros } from './tod';

const PGM_OPERATION = 0x01;
const PGM_SPECIFICATION = 0x06;
const PGM_SPECIAL_OPERATION = 0x13;
const PGM_PRIVILEGED_OPERATION = 0x02;
const PGM_SPACE_SWITCH_EVENT = 0x1c;
/** CR0 bit 5, secondary-space control: SAC and the secondary-space instructions need it on. */
const CR0_SECONDARY_SPACE = 0x04000000;
/** System-mask bits that must be zero in ESA/390 (PSW bits 0 and 2-4). */
const SYSMASK_INVALID = 0xb8;
/** Page-table entry invalid bit (bit 21). */
const PTE_INVALID = 0x400;
/** SIE interception code for an instruction interception (state description X'50'). */
const INTERCEPT_INSTRUCTION = 0x04;

/** Mnemonic by opcode key, for the interception policy. */
const MNEMONIC = new Map<number, string>();
for (const row of ESA390_INSTRUCTIONS) MNEMONIC.set(row.opcode, row.mnemonic);

const IO_BY_KEY = new Map<number, IoInstruction>([
  [0xb233, 'SSCH'],
  [0xb235, 'TSCH'],
  [0xb234, 'STSCH'],
  [0xb232, 'MSCH'],
  [0xb231, 'HSCH'],
  [0xb230, 'CSCH'],
  [0xb238, 'RSCH'],
  [0xb236, 'TPI'],
]);

const words = new Uint32Array(2);
const scratch = new Int32Array(16);
const lraResult = new Int32Array(1);

/** Second-operand address of an S- or RS-format instruction, D2(B2). */
function addrS(cpu: Esa390Cpu, w0: number): number {
  const b = (w0 >>> 12) & 0xf;
  return ((b === 0 ? 0 : cpu.gpr[b]!) + (w0 & 0xfff)) & cpu.amask;
}

/** Second-operand address of an RX-format instruction, D2(X2,B2). */
function addrRX(cpu: Esa390Cpu, w0: number): number {
  const x = (w0 >>> 16) & 0xf;
  const b = (w0 >>> 12) & 0xf;
  return ((x === 0 ? 0 : cpu.gpr[x]!) + (b === 0 ? 0 : cpu.gpr[b]!) + (w0 & 0xfff)) & cpu.amask;
}

function aligned(cpu: Esa390Cpu, address: number, mask: number): void {
  if ((address & mask) !== 0) cpu.programCheck(PGM_SPECIFICATION);
}

/** Leave the instruction unexecuted and hand it to the host. */
function intercept(cpu: Esa390Cpu, kind: 'instruction' | 'svc', code: number, key: number): Exit {
  cpu.ia = cpu.instAddress;
  return { reason: 'interception', kind, code, opcode: key, length: cpu.ilc * 2, completed: false };
}

/** Storage index of the 4 KB block a storage-key instruction names by the real address in R2. */
function keyBlock(cpu: Esa390Cpu, r2: number): AbsoluteAddress {
  const real = cpu.gpr[r2]! & cpu.amask;
  return cpu.absoluteToStorage(cpu.realToAbsolute(real), Access.Read) as AbsoluteAddress;
}

function readDouble(cpu: Esa390Cpu, a: number): void {
  cpu.checkRange(a, 8, Access.Read);
  words[0] = cpu.read32(a);
  words[1] = cpu.read32(a + 4);
}

function storeDouble(cpu: Esa390Cpu, a: number, high: number, low: number): void {
  cpu.checkRange(a, 8, Access.Write);
  cpu.write32(a, high);
  cpu.write32(a + 4, low);
}

/**
 * Make every CPU of the configuration fetch its next instruction through the
 * full path again. The core caches the frame of the current instruction page
 * and checks fetch protection and sets the reference bit only when it loads
 * that cache; after a key change (SSKE) or a reference-bit reset (RRBE) the
 * next fetch must see the new key and set the bit again, as Hercules 3.13
 * shows (ISKE after RRBE of the executing page finds the reference bit on).
 */
function forgetFetchedPages(cpu: Esa390Cpu): void {
  for (const other of systemOf(cpu).configuration.cpus) other.ipPage = -1;
}

/** SVC (POP "SUPERVISOR CALL"): SVC old PSW at X'20', ILC and number at X'88', new PSW from X'60'. */
function supervisorCall(cpu: Esa390Cpu, w0: number): Exit | null {
  const n = (w0 >>> 16) & 0xff;
  if (cpu.policy.svc(n)) return intercept(cpu, 'svc', n, 0x0a);
  cpu.writeReal32(LOWCORE.SVC_INTERRUPTION, ((cpu.ilc * 2) << 16) | n);
  cpu.cycles += cpu.costModel.events['svc-interruption'].cycles;
  systemOf(cpu).interruptions.svc++;
  cpu.interruptionCount++;
  swapPsw(cpu, LOWCORE.SVC_OLD_PSW, LOWCORE.SVC_NEW_PSW);
  return null;
}

/** Set the system mask (SSM, STOSM, STNSM); invalid bits are an early specification exception after the change. */
function setSystemMask(cpu: Esa390Cpu, mask: number): void {
  cpu.sysmask = mask;
  refreshPending(cpu);
  if ((mask & SYSMASK_INVALID) !== 0) cpu.programCheck(PGM_SPECIFICATION);
}

/**
 * Execute one system instruction. The core dispatcher has already done the
 * privileged-operation check for privileged rows and advanced `cpu.ia` past
 * the instruction. `key` is the opcode key (see `opcodeKey` in table.ts),
 * `w0` the first four instruction bytes as an int32, `w1` bytes 4-5 (6-byte
 * instructions only). Returns null when the instruction completed (program
 * exceptions leave through `cpu.programCheck`), or an interception Exit when
 * the policy routes it to the host; the instruction is then left unexecuted
 * with the PSW pointing at it.
 */
export function executeSystem(cpu: Esa390Cpu, key: number, w0: number, w1: number): Exit | null {
  void w1;
  if (key === 0x0a) return supervisorCall(cpu, w0);
  const mnemonic = MNEMONIC.get(key);
  if (mnemonic === undefined) return cpu.programCheck(PGM_OPERATION);
  if (cpu.policy.instruction(mnemonic)) return intercept(cpu, 'instruction', INTERCEPT_INSTRUCTION, key);
  const g = cpu.gpr;
  switch (key) {
    case 0x82: {
      // LPSW
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      readDouble(cpu, a);
      if (!cpu.setPsw(words[0]!, words[1]!)) cpu.programCheck(PGM_SPECIFICATION);
      refreshPending(cpu);
      return null;
    }
    case 0x80: {
      // SSM
      if ((cpu.cr[0]! & CR0_SSM_SUPPRESSION) !== 0) cpu.programCheck(PGM_SPECIAL_OPERATION);
      setSystemMask(cpu, cpu.read8(addrS(cpu, w0)));
      return null;
    }
    case 0xad:
    case 0xac: {
      // STOSM, STNSM: SI format, D1(B1) and I2
      const i2 = (w0 >>> 16) & 0xff;
      const old = cpu.sysmask;
      cpu.write8(addrS(cpu, w0), old);
      setSystemMask(cpu, key === 0xad ? old | i2 : old & i2);
      return null;
    }
    case 0xb7: {
      // LCTL: every word is fetched before any control register changes
      const r1 = (w0 >>> 20) & 0xf;
      const r3 = (w0 >>> 16) & 0xf;
      const a = addrS(cpu, w0);
      aligned(cpu, a, 3);
      const n = ((r3 - r1) & 0xf) + 1;
      cpu.checkRange(a, 4 * n, Access.Read);
      for (let i = 0; i < n; i++) scratch[i] = cpu.read32(a + 4 * i);
      for (let i = 0; i < n; i++) cpu.cr[(r1 + i) & 0xf] = scratch[i]!;
      cpu.flushTlb();
      refreshPending(cpu);
      return null;
    }
    case 0xb6: {
      // STCTL
      const r1 = (w0 >>> 20) & 0xf;
      const r3 = (w0 >>> 16) & 0xf;
      const a = addrS(cpu, w0);
      aligned(cpu, a, 3);
      const n = ((r3 - r1) & 0xf) + 1;
      cpu.checkRange(a, 4 * n, Access.Write);
      for (let i = 0; i < n; i++) cpu.write32(a + 4 * i, cpu.cr[(r1 + i) & 0xf]!);
      return null;
    }
    case 0xb22b: {
      // SSKE: key bits 24-30 of R1 into the storage key of the block R2 designates
      const s = keyBlock(cpu, w0 & 0xf);
      cpu.storage.setKey(s, g[(w0 >>> 4) & 0xf]! & 0xfe);
      forgetFetchedPages(cpu);
      return null;
    }
    case 0xb229: {
      // ISKE
      const r1 = (w0 >>> 4) & 0xf;
      const k = cpu.storage.getKey(keyBlock(cpu, w0 & 0xf));
      g[r1] = (g[r1]! & ~0xff) | (k & 0xfe);
      return null;
    }
    case 0xb22a: {
      // RRBE: cc from the reference (2) and change (1) bits before the reference bit is reset
      const s = keyBlock(cpu, w0 & 0xf);
      const k = cpu.storage.getKey(s);
      cpu.cc = ((k & KEY_REF) !== 0 ? 2 : 0) | ((k & KEY_CHANGE) !== 0 ? 1 : 0);
      cpu.storage.setKey(s, k & ~KEY_REF);
      forgetFetchedPages(cpu);
      return null;
    }
    case 0xb221: {
      // IPTE: set the invalid bit of the PTE (a real address), then purge it from every CPU's TLB
      const pto = g[(w0 >>> 4) & 0xf]! & 0x7fffffc0;
      const px = (g[w0 & 0xf]! >>> 12) & 0xff;
      const s = cpu.absoluteToStorage(cpu.realToAbsolute(pto + 4 * px), Access.Write) as AbsoluteAddress;
      cpu.storage.write32(s, cpu.storage.read32(s) | PTE_INVALID);
      // Only that page leaves the DAT TLBs (invalidatePage); the CPUs' own
      // caches hold no table origin to match it against, so they are dropped whole.
      for (const other of systemOf(cpu).configuration.cpus) {
        other.dat?.invalidatePage(pto, px);
        other.dropTranslations();
      }
      return null;
    }
    case 0xb20d:
      // PTLB
      cpu.flushTlb();
      return null;
    case 0xb1: {
      // LRA
      const dat = cpu.dat;
      if (dat === null) return cpu.programCheck(PGM_OPERATION);
      const st = cpu.translationStatus;
      const rc = dat.loadRealAddress(addrRX(cpu, w0), lraResult, st);
      // The table references of the walk are the CPU's time too.
      cpu.cycles += st.cycles;
      st.cycles = 0;
      if (rc < 0) {
        cpu.tea = st.exceptionId;
        return cpu.programCheck(-rc);
      }
      g[(w0 >>> 20) & 0xf] = lraResult[0]!;
      cpu.cc = rc & 3;
      return null;
    }
    case 0xb210: {
      // SPX: the new prefix area must be installed
      const a = addrS(cpu, w0);
      aligned(cpu, a, 3);
      const p = cpu.read32(a) & 0x7ffff000;
      cpu.absoluteToStorage(p, Access.Read);
      cpu.absoluteToStorage(p + 0xfff, Access.Read);
      cpu.prefix = p;
      cpu.flushTlb();
      return null;
    }
    case 0xb211: {
      // STPX
      const a = addrS(cpu, w0);
      aligned(cpu, a, 3);
      cpu.write32(a, cpu.prefix);
      return null;
    }
    case 0xb204: {
      // SCK: the TOD clock is one for the configuration
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      readDouble(cpu, a);
      const sys = systemOf(cpu);
      setTod(cpu, sys, unsignedWordsToMicros(words[0]!, words[1]!));
      for (const other of sys.configuration.cpus) {
        updateTimers(other);
        refreshPending(other);
      }
      cpu.cc = 0;
      return null;
    }
    case 0xb219: {
      // SAC (POP "SET ADDRESS SPACE CONTROL"), semiprivileged. As Hercules 3.13:
      // special operation with DAT off or the secondary-space control (CR0
      // bit 5) zero, whatever the mode; then bits 20-23 of the operand address
      // name the mode (0 primary, 1 secondary, 2 access register, 3 home, the
      // last privileged), any other value a specification exception.
      if ((cpu.sysmask & PSW_DAT) === 0 || (cpu.cr[0]! & CR0_SECONDARY_SPACE) === 0) {
        return cpu.programCheck(PGM_SPECIAL_OPERATION);
      }
      const mode = (addrS(cpu, w0) >>> 8) & 0xf;
      if (mode > 3) return cpu.programCheck(PGM_SPECIFICATION);
      if (mode === 3 && cpu.problemState) return cpu.programCheck(PGM_PRIVILEGED_OPERATION);
      // The operand's code and the PSW's bits 16-17 differ for secondary (1 → 10) and AR (2 → 01).
      const old = cpu.asc;
      cpu.asc = mode === 1 ? 2 : mode === 2 ? 1 : mode;
      if ((old === 3) !== (mode === 3)) {
        // Into or out of home mode with a space-switch-event control on (bit 0 of CR1 or CR13): the
        // space-switch-event program interruption after completion. Its TEA: into home, the primary
        // ASN (CR4 bits 16-31) with bit 0 = CR1's control; out of home, zero with bit 0 = CR13's.
        const cr1 = cpu.cr[1]! < 0;
        const cr13 = cpu.cr[13]! < 0;
        if (cr1 || cr13) {
          cpu.tea = mode === 3 ? (cpu.cr[4]! & 0xffff) | (cr1 ? 0x80000000 : 0) : cr13 ? 0x80000000 : 0;
          return cpu.programCheck(PGM_SPACE_SWITCH_EVENT);
        }
      }
      return null;
    }
    case 0xb205: {
      // STCK (unprivileged)
      const a = addrS(cpu, w0);
      microsToWords(storeClockMicros(cpu), words);
      storeDouble(cpu, a, words[0]!, words[1]!);
      cpu.cc = 0;
      return null;
    }
    case 0xb206: {
      // SCKC
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      readDouble(cpu, a);
      const sys = systemOf(cpu);
      sys.ckcWords[0] = words[0]!;
      sys.ckcWords[1] = words[1]!;
      sys.ckc = unsignedWordsToMicros(words[0]!, words[1]!);
      updateTimers(cpu, sys);
      refreshPending(cpu, sys);
      return null;
    }
    case 0xb207: {
      // STCKC
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      const sys = systemOf(cpu);
      storeDouble(cpu, a, sys.ckcWords[0]!, sys.ckcWords[1]!);
      return null;
    }
    case 0xb208: {
      // SPT
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      readDouble(cpu, a);
      const sys = systemOf(cpu);
      setCpuTimer(cpu, sys, signedWordsToMicros(words[0]!, words[1]!));
      updateTimers(cpu, sys);
      refreshPending(cpu, sys);
      return null;
    }
    case 0xb209: {
      // STPT
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      microsToWords(cpuTimerMicros(cpu), words);
      storeDouble(cpu, a, words[0]!, words[1]!);
      return null;
    }
    case 0xb212: {
      // STAP
      const a = addrS(cpu, w0);
      aligned(cpu, a, 1);
      cpu.write16(a, cpu.id);
      return null;
    }
    case 0xb202: {
      // STIDP: version, serial (first digit = CPU address in a multiprocessing configuration, as Hercules), model
      const a = addrS(cpu, w0);
      aligned(cpu, a, 7);
      const configuration = systemOf(cpu).configuration;
      const id = configuration.cpuId;
      let serial = id.serial & 0xffffff;
      if (configuration.cpus.length > 1) serial = (serial & 0x0fffff) | ((cpu.id & 0xf) << 20);
      storeDouble(cpu, a, ((id.version & 0xff) << 24) | serial, (id.model & 0xffff) << 16);
      return null;
    }
    case 0xae: {
      // SIGP: order in bits 24-31 of the second-operand address, CPU address in R3, parameter in R1 (odd) or R1+1
      const r1 = (w0 >>> 20) & 0xf;
      const order = addrS(cpu, w0) & 0xff;
      const cc = signalProcessor(cpu, order, g[(w0 >>> 16) & 0xf]! & 0xffff, g[r1 | 1]!, scratch);
      if (cc === 1) g[r1] = scratch[0]!;
      cpu.cc = cc;
      return null;
    }
    case 0x83:
      // DIAGNOSE with no host to answer it: Hercules' reply to an unknown function code.
      return cpu.programCheck(PGM_SPECIFICATION);
    case 0xb214: {
      // SIE: not installed on a bare machine; a later layer supplies the facility.
      const sie = systemOf(cpu).configuration.sie;
      if (sie === null) return cpu.programCheck(PGM_OPERATION);
      return sie.start(cpu, addrS(cpu, w0));
    }
    default: {
      const io = IO_BY_KEY.get(key);
      if (io === undefined) return cpu.programCheck(PGM_OPERATION);
      channelInstruction(cpu, io, addrS(cpu, w0));
      return null;
    }
  }
}
