/**
 * The hostile-guest campaign, shared by test/hostile.test.ts and bench/run.ts.
 * Hostile guests (fast-check): random instruction streams rich in
 * privileged and I/O instructions, random new PSWs (DAT on or off, problem
 * or supervisor state), random control registers and so random page tables,
 * random ORBs and channel programs, DIAGNOSE with random registers. CP must
 * never throw, must never change a byte of another guest's storage or of
 * any real cylinder outside the hostile user's own minidisk, and its own
 * state must stay consistent (counters, scheduler lists).
 *
 * 150 runs under trap-and-emulate and 60 under SIE, 100 wild channel
 * programs, and the I/O campaign against subchannels that DETACH, LINK,
 * DEFINE and SYSTEM RESET change under the guest, with console READs and
 * typed lines (`hostileIoProperty`): 60 runs under trap-and-emulate and 30
 * under SIE (about 15 s together); bench/run.ts runs a longer campaign.
 */
import { type CkdVolume, toEbcdic } from '@strachey/io-channel';
import fc from 'fast-check';
import { type ControlProgram, type ExecutionStyle, executeCommand, type VirtualMachine } from '../src/index';
import { cpFrom, kernelMinidisks, logonUser } from './rig';

export const DIRECTORY = `
USER VICTIM V 256K 1M G
 CONSOLE 009 3215
 MDISK 191 3390 10 5 VMRES1 W
USER HOSTILE H 256K 1M G
 MACHINE ESA 2
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 MDISK 191 3390 20 5 VMRES1 W
 LINK VICTIM 191 291 RR
`;

/** Opcodes the generator favours: privileged and I/O instructions, DIAGNOSE, SIGP, and a few ordinary ones. */
const OPCODES = [
  [0x82],
  [0x80],
  [0xad],
  [0xac],
  [0xb7],
  [0xb6],
  [0xae],
  [0x83],
  [0xb1],
  [0xb2, 0x10],
  [0xb2, 0x11],
  [0xb2, 0x06],
  [0xb2, 0x07],
  [0xb2, 0x08],
  [0xb2, 0x09],
  [0xb2, 0x12],
  [0xb2, 0x02],
  [0xb2, 0x29],
  [0xb2, 0x2b],
  [0xb2, 0x2a],
  [0xb2, 0x21],
  [0xb2, 0x0d],
  [0xb2, 0x14],
  [0xb2, 0x33],
  [0xb2, 0x35],
  [0xb2, 0x34],
  [0xb2, 0x32],
  [0xb2, 0x31],
  [0xb2, 0x30],
  [0xb2, 0x38],
  [0xb2, 0x36],
  [0x0a],
  [0x18],
  [0x41],
  [0x50],
  [0x58],
  [0xd2],
  [0x47],
  [0x05],
];

function instructionStream(seed: number[]): Uint8Array {
  const out = new Uint8Array(4096);
  let o = 0;
  let k = 0;
  const next = (): number => seed[k++ % seed.length]! & 0xff;
  while (o < 4090) {
    const op = OPCODES[next() % OPCODES.length]!;
    for (const b of op) out[o++] = b;
    const len = op[0]! < 0x40 ? 2 : op[0]! >= 0xc0 || op[0] === 0xd2 ? 6 : 4;
    while ((o & 1) !== 0 || o % len !== 0) out[o++] = next();
    const start = o - op.length;
    for (let i = op.length; i < len && o < 4096; i++) out[o++] = next();
    if (op.length === 2 && op[0] === 0xb2 && o <= 4096) {
      // S-format operands based on a register that points at the ORB/CCW pages, 16-byte aligned.
      const base = [3, 6, 9, 12, 15][next() % 5]!;
      out[start + 2] = (base << 4) | (next() & 0x0f);
      out[start + 3] = next() & 0xf0;
    }
  }
  return out;
}

function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/**
 * After a run: no real frame outside the VMs' windows (their storage and
 * CP's area after it) was stored into, and CP's scheduler lists still hold
 * all three virtual CPUs (VICTIM's one, HOSTILE's two).
 */
function checkFramesAndLists(cp: ControlProgram, storages: readonly VirtualMachine['storage'][]): void {
  const windows = storages.map((s) => [s.origin >>> 12, (s.cpArea + 64 * 1024) >>> 12] as const);
  cp.realStorage.frames.forEach((f, i) => {
    if (f !== undefined)
      check(
        windows.some(([a, b]) => i >= a && i < b),
        `real frame ${i} outside the VM windows was stored into`,
      );
  });
  const lists = cp.lists();
  check(
    lists.dispatch.length + lists.eligible.length + lists.dormant.length === 3,
    'scheduler lists lost a virtual CPU',
  );
}

/**
 * The two users of a campaign run on `real`: VICTIM with `byte(i)` in its
 * first 256 KiB and started at a disabled wait PSW at X'1000' (so it holds
 * still and any change to its storage is CP's doing), and HOSTILE in
 * `style`. Returns the victim's checksum to compare after the run.
 */
function victimAndHostile(
  real: CkdVolume,
  style: ExecutionStyle,
  byte: (i: number) => number,
): { cp: ControlProgram; victim: VirtualMachine; hostile: VirtualMachine; victimSum: number } {
  const cp = cpFrom(DIRECTORY, [{ volser: 'VMRES1', volume: real }], { realStorage: 16 * 1024 * 1024 });
  const victim = logonUser(cp, 'VICTIM');
  const hostile = logonUser(cp, 'HOSTILE', style);
  const pattern = new Uint8Array(0x40000);
  for (let i = 0; i < pattern.length; i++) pattern[i] = byte(i);
  pattern.set([0x00, 0x0a, 0x00, 0x00, 0, 0, 0, 0], 0x1000);
  victim.load(0, pattern);
  victim.start(0x000a0000, 0);
  return { cp, victim, hostile, victimSum: checksum(pattern) };
}

/** One hostile run per sample: a fast-check property for `fc.assert`. */
export function hostileProperty(style: 'trap-and-emulate' | 'sie') {
  return fc.property(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 64, maxLength: 512 }),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 16, maxLength: 16 }),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 64, maxLength: 64 }),
    fc.constantFrom(0x00080000, 0x04080000, 0x07080000, 0x00090000, 0x05090000, 0x030c0000),
    (seed, regs, lowcore, pswHigh) => {
      const real = kernelMinidisks(100, [10, 20]);
      const realBefore = [...real.writtenTracks()]
        .filter((t) => t.cc < 20 || t.cc >= 25)
        .map((t) => JSON.stringify(t));
      const { cp, victim, hostile, victimSum } = victimAndHostile(real, style, (i) => (i * 7 + 3) & 0xff);
      // The hostile guest: random low core, but valid new PSWs (random masks and DAT bit) into its
      // random code, so it keeps running through its own interruptions instead of check-stopping.
      const low = new Uint8Array(256);
      const dv = new DataView(low.buffer);
      for (let i = 0; i < 64; i++) dv.setUint32(i * 4, lowcore[i]!);
      for (const at of [0x00, 0x58, 0x60, 0x68, 0x78]) {
        const w = lowcore[at >>> 2]!;
        dv.setUint32(at, (0x00080000 | (w & 0x07000000)) >>> 0);
        dv.setUint32(at + 4, (0x80000000 | (0x1000 + ((w >>> 4) & 0x3ffe))) >>> 0);
      }
      hostile.load(0, low);
      const code = instructionStream(seed);
      for (let page = 1; page < 48; page++) hostile.load(page * 4096, code);
      // Channel-program-looking garbage: ORBs and CCWs with DASD, TIC and unit-record commands.
      const ccws = new Uint8Array(4096);
      const cmds = [0x07, 0x31, 0x06, 0x05, 0x08, 0x1f, 0x04, 0x02, 0x13, 0x63, 0x1d, 0x12, 0x01, 0x09];
      for (let i = 0; i < 4096; i += 8) {
        const w = regs[(i >>> 3) & 15]! ^ lowcore[(i >>> 3) & 63]!;
        ccws[i] = cmds[w % cmds.length]!;
        ccws[i + 1] = (w >>> 8) & 0xe4;
        ccws[i + 3] = (w >>> 16) & 0x7f;
        dv.setUint32(0, 0x30000 + ((w >>> 3) & 0xff8));
        ccws.set(low.subarray(0, 4), i + 4);
      }
      for (let page = 49; page < 64; page++) hostile.load(page * 4096, ccws);
      // Page 48: well-formed ORBs (format 1 or 0, all paths) naming those channel programs.
      const orbs = new Uint8Array(4096);
      const ov = new DataView(orbs.buffer);
      for (let i = 0; i < 4096; i += 16) {
        const w = regs[(i >>> 4) & 15]! ^ lowcore[(i >>> 4) & 63]!;
        ov.setUint32(i, w);
        ov.setUint32(i + 4, (w & 1) === 0 ? 0x0080ff00 : 0x0000ff00);
        ov.setUint32(i + 8, 0x31000 + ((w >>> 5) & 0xeff8));
      }
      hostile.load(48 * 4096, orbs);
      // Its subchannels are enabled, as a guest that issued MSCH would have them.
      for (const sch of hostile.io.subchannels) sch.enabled = true;
      const gpr = regs.map(
        (x, i) => (i === 1 ? 0x00010000 | (x % 6) : i % 3 === 0 ? 0x30000 + (x & 0xfff8) : x) | 0,
      );
      hostile.cpus[0]!.cpu.gpr.set(gpr);
      hostile.start(pswHigh, 0x80001000);
      let thrown: unknown = null;
      try {
        cp.run(200_000);
      } catch (e) {
        thrown = e;
      }
      check(thrown === null, `host exception: ${String(thrown)}`);
      // Stop the hostile guest, let outstanding real I/O finish, then check isolation.
      cp.stop('HOSTILE');
      cp.run(50_000_000);
      const v = new Uint8Array(0x40000);
      victim.storage.readBytes(0, v);
      check(checksum(v) === victimSum, 'victim storage changed');
      const realAfter = [...real.writtenTracks()]
        .filter((t) => t.cc < 20 || t.cc >= 25)
        .map((t) => JSON.stringify(t));
      check(
        JSON.stringify(realAfter) === JSON.stringify(realBefore),
        'a cylinder outside the hostile minidisk changed',
      );
      checkFramesAndLists(cp, [victim.storage, hostile.storage]);
      const c = hostile.counters;
      // It did run: guest cycles (instructions, and interruptions it took itself — under SIE a guest caught in a
      // program-interruption loop from its first fetch completes no instruction but takes them), or CP intercepted it.
      check(c.guestCycles + c.interceptions > 0, 'the hostile guest did not run');
    },
  );
}

/** CP commands the hostile guest issues by DIAGNOSE X'08' (from X'400' + 32 i): devices come and go under its own I/O. */
const GUEST_COMMANDS = [
  'DETACH 191',
  'DETACH 009',
  'DETACH 00C',
  'LINK VICTIM 191 291 RR',
  'LINK HOSTILE 191 192 MW',
  'DEFINE PRINTER 00E',
  'DEFINE READER 00F',
  'SYSTEM RESET',
  'DETACH 291',
  'DEFINE STORAGE 512K',
  'QUERY VIRTUAL',
  'DETACH 192 00E',
  'IPL 191',
  'ATTACH 100 * 300',
];

/** What the host side does between two slices of the hostile guest. */
type HostStep =
  | { readonly kind: 'input'; readonly line: string }
  | { readonly kind: 'command'; readonly text: string }
  | { readonly kind: 'run'; readonly cycles: number };

const hostStep: fc.Arbitrary<HostStep> = fc.oneof(
  fc.record({ kind: fc.constant('input' as const), line: fc.stringMatching(/^[A-Z ]{0,90}$/) }),
  fc.record({
    kind: fc.constant('command' as const),
    text: fc.constantFrom(
      'DETACH 191',
      'DETACH 009',
      'DETACH 00D',
      'DETACH 291',
      'LINK VICTIM 191 291 RR',
      'LINK VICTIM 191 293 W',
      'LINK HOSTILE 191 192 MW',
      'DEFINE PUNCH 00D',
      'DEFINE PRINTER 00E',
      'SYSTEM RESET',
      'QUERY VIRTUAL',
    ),
  }),
  fc.record({ kind: fc.constant('run' as const), cycles: fc.integer({ min: 1_000, max: 400_000 }) }),
);

/** The I/O instructions (S format, B2xx) the I/O campaign draws from: SSCH, TSCH, STSCH, MSCH, HSCH, CSCH, RSCH, TPI. */
const IO_OPCODES = [0x33, 0x35, 0x34, 0x32, 0x31, 0x30, 0x38, 0x36, 0x33, 0x35, 0x32, 0x33];

/**
 * A program of I/O instructions on subchannels 0-7 (GR1 loaded from the
 * table at X'300' before each; MSCH operands based on registers 3 and 6,
 * which point at PMCW images, SSCH on 9, which points at the ORB page, the
 * others on 12 and 15, which point at scratch storage), with DIAGNOSE X'08' CP commands and enabled waits (LPSW
 * X'380') mixed in so interruptions are taken. Every unit is 12 bytes, so
 * the new PSWs (X'1000' + 12 j) land on an instruction.
 */
function ioStream(seed: readonly number[]): Uint8Array {
  const out = new Uint8Array(4096);
  let k = 0;
  const next = (): number => seed[k++ % seed.length]! & 0xff;
  const NOPR = [0x07, 0x00];
  for (let o = 0; o + 12 <= 4096; o += 12) {
    const pick = next();
    if ((pick & 15) === 0) {
      // LA 2,X'400'+32c ; LA 3,len ; DIAG 2,3,X'008'
      const c = next() % GUEST_COMMANDS.length;
      const d = 0x400 + 32 * c;
      out.set(
        [0x41, 0x20, d >>> 8, d & 0xff, 0x41, 0x30, 0x00, GUEST_COMMANDS[c]!.length, 0x83, 0x23, 0x00, 0x08],
        o,
      );
    } else if ((pick & 15) === 1) {
      // LPSW X'380': an enabled wait; the I/O or external new PSW brings the program back.
      out.set([0x82, 0x00, 0x03, 0x80, ...NOPR, ...NOPR, ...NOPR, ...NOPR], o);
    } else {
      // L 1,X'300'+4n ; B2xx D2(B2)
      // The console (0 at LOGON) and the minidisks (3, 4, and whatever LINK puts in a freed number) more often.
      const n = [0, 0, 0, 3, 3, 4, 4, 1, 2, 5, 6, 7][next() % 12]!;
      const op = IO_OPCODES[pick % IO_OPCODES.length]!;
      // SSCH reads an ORB (register 9), MSCH a PMCW (3, 6); the others store into scratch storage (12, 15).
      const base = op === 0x32 ? [3, 6][next() & 1]! : op === 0x33 ? 9 : [12, 15][next() & 1]!;
      out.set(
        [0x58, 0x10, 0x03, 4 * n, 0xb2, op, (base << 4) | (next() & 0x0f), next() & 0xe0, ...NOPR, ...NOPR],
        o,
      );
    }
  }
  return out;
}

/**
 * Hostile I/O against subchannels that come and go: the hostile guest runs
 * random I/O instructions (GR1 naming subchannels 0-7), wild channel
 * programs that include console READs, and DIAGNOSE X'08' commands that
 * DETACH, LINK, DEFINE and reset its own devices, while the host side
 * types console lines and issues the same commands between slices. CP
 * must never throw; the victim's storage and every real cylinder outside
 * the hostile user's own minidisk stay untouched; the subchannel list stays
 * well-formed; once the guest is stopped every real program ends.
 */
export function hostileIoProperty(style: 'trap-and-emulate' | 'sie') {
  return fc.property(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 64, maxLength: 256 }),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 32, maxLength: 32 }),
    fc.array(hostStep, { minLength: 1, maxLength: 24 }),
    (seed, words, steps) => {
      const real = kernelMinidisks(100, [10, 20]);
      const outside = (): string =>
        JSON.stringify([...real.writtenTracks()].filter((t) => t.cc < 20 || t.cc >= 25));
      const realBefore = outside();
      const {
        cp,
        victim,
        hostile: vm,
        victimSum,
      } = victimAndHostile(real, style, (i) => (i * 11 + 7) & 0xff);
      // Low core: new PSWs into the code (I/O enabled for some), the CP commands at X'400'.
      const low = new Uint8Array(0x1000);
      const dv = new DataView(low.buffer);
      for (const [i, at] of [0x58, 0x60, 0x68, 0x70, 0x78].entries()) {
        const w = words[i]!;
        dv.setUint32(at, (0x00080000 | (w & 0x03000000)) >>> 0);
        dv.setUint32(at + 4, (0x80000000 | (0x1000 + 12 * ((w >>> 4) % 340))) >>> 0);
      }
      for (const [i, c] of GUEST_COMMANDS.entries()) low.set(toEbcdic(c), 0x400 + 32 * i);
      for (let n = 0; n < 8; n++) dv.setUint32(0x300 + 4 * n, 0x00010000 | n);
      dv.setUint32(0x380, 0x030a0000);
      dv.setUint32(0x384, 0x80001000);
      vm.load(0, low);
      const code = ioStream(seed);
      for (let page = 1; page < 47; page++) vm.load(page * 4096, code);
      // Page 47: PMCW images for MSCH — enabled, random subclass and parameter, path X'80'.
      const pmcws = new Uint8Array(4096);
      const pv = new DataView(pmcws.buffer);
      for (let i = 0; i < 4096; i += 32) {
        const w = words[(i >>> 5) & 31]!;
        pv.setUint32(i, w);
        pmcws[i + 4] = (w >>> 8) & 0x38;
        pmcws[i + 5] = (w & 0x10) === 0 ? 0x80 : 0x00;
        pmcws[i + 8] = 0x80;
      }
      vm.load(47 * 4096, pmcws);
      // Wild channel programs: console READ/WRITE, DASD, TIC, spool commands; data anywhere.
      const ccws = new Uint8Array(4096);
      const cmds = [0x0a, 0x09, 0x01, 0x03, 0x07, 0x31, 0x06, 0x05, 0x08, 0x04, 0x02, 0x0a, 0x1f, 0xe4];
      for (let i = 0; i < 4096; i += 8) {
        const w = words[(i >>> 3) & 31]! ^ Math.imul(i, 0x9e3779b1);
        ccws[i] = cmds[(w >>> 0) % cmds.length]!;
        ccws[i + 1] = (w >>> 8) & 0xe4;
        ccws[i + 2] = 0;
        ccws[i + 3] = (w >>> 16) & 0xff;
        new DataView(ccws.buffer).setUint32(i + 4, (w & 1) === 0 ? 0x30000 + ((w >>> 3) & 0xfff8) : w >>> 1);
      }
      for (let page = 49; page < 64; page++) vm.load(page * 4096, ccws);
      const orbs = new Uint8Array(4096);
      const ov = new DataView(orbs.buffer);
      for (let i = 0; i < 4096; i += 16) {
        const w = words[(i >>> 4) & 31]!;
        ov.setUint32(i, w);
        ov.setUint32(i + 4, (w & 2) === 0 ? 0x0080ff00 : 0x0000ff00);
        ov.setUint32(i + 8, 0x31000 + ((w >>> 5) & 0xeff8));
      }
      vm.load(48 * 4096, orbs);
      for (const sch of vm.io.subchannels) sch.enabled = true;
      const gpr = words
        .slice(0, 16)
        .map(
          (x, i) =>
            (i === 3 || i === 6 ? 0x2f000 : i === 9 ? 0x30000 : i === 12 || i === 15 ? 0x3e000 : x) | 0,
        );
      vm.cpus[0]!.cpu.gpr.set(gpr);
      vm.cpus[0]!.cr[6] = 0xff000000 | 0;
      vm.start(0x02080000, 0x80001000);
      let thrown: unknown = null;
      try {
        for (const step of steps) {
          if (step.kind === 'input') vm.queueConsoleInput(step.line);
          else if (step.kind === 'command') executeCommand(cp, cp.vm('HOSTILE')!, step.text);
          else cp.run(step.cycles);
          const list = cp.vm('HOSTILE')!.io.subchannels;
          for (let i = 1; i < list.length; i++)
            check(list[i - 1]!.number < list[i]!.number, 'subchannel numbers out of order');
          check(new Set(list.map((s) => s.device.vdev)).size === list.length, 'a device number twice');
        }
        cp.stop('HOSTILE');
        cp.run(100_000_000);
      } catch (e) {
        thrown = e;
      }
      check(thrown === null, `host exception: ${String(thrown)}`);
      check(!cp.realIo.busy, 'a real channel program never ended');
      const v = new Uint8Array(0x40000);
      victim.storage.readBytes(0, v);
      check(checksum(v) === victimSum, 'victim storage changed');
      check(outside() === realBefore, 'a cylinder outside the hostile minidisk changed');
      checkFramesAndLists(cp, [victim.storage, cp.vm('HOSTILE')!.storage]);
    },
  );
}
