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
 * programs (about 15 s together); bench/run.ts runs a longer campaign.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import fc from 'fast-check';
import { createCp } from '../src/index';
import { kernelVolume, placeMinidisk } from './helpers';

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
  [0x82], [0x80], [0xad], [0xac], [0xb7], [0xb6], [0xae], [0x83], [0xb1],
  [0xb2, 0x10], [0xb2, 0x11], [0xb2, 0x06], [0xb2, 0x07], [0xb2, 0x08], [0xb2, 0x09], [0xb2, 0x12], [0xb2, 0x02],
  [0xb2, 0x29], [0xb2, 0x2b], [0xb2, 0x2a], [0xb2, 0x21], [0xb2, 0x0d], [0xb2, 0x14],
  [0xb2, 0x33], [0xb2, 0x35], [0xb2, 0x34], [0xb2, 0x32], [0xb2, 0x31], [0xb2, 0x30], [0xb2, 0x38], [0xb2, 0x36],
  [0x0a], [0x18], [0x41], [0x50], [0x58], [0xd2], [0x47], [0x05],
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

/** One hostile run per sample: a fast-check property for `fc.assert`. */
export function hostileProperty(style: 'trap-and-emulate' | 'sie') {
  return fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 64, maxLength: 512 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 16, maxLength: 16 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 64, maxLength: 64 }),
        fc.constantFrom(0x00080000, 0x04080000, 0x07080000, 0x00090000, 0x05090000, 0x030c0000),
        (seed, regs, lowcore, pswHigh) => {
          const real = new CkdVolume(geometry3390(100));
          placeMinidisk(real, 10, kernelVolume());
          placeMinidisk(real, 20, kernelVolume());
          const realBefore = [...real.writtenTracks()].filter((t) => t.cc < 20 || t.cc >= 25).map((t) => JSON.stringify(t));
          const r = createCp({ directory: DIRECTORY, volumes: [{ volser: 'VMRES1', volume: real }], realStorage: 16 * 1024 * 1024 });
          if (!r.ok) throw new Error('directory');
          const cp = r.cp;
          const victim = cp.logon('VICTIM');
          const hostile = cp.logon('HOSTILE', undefined, { style });
          if (!victim.ok || !hostile.ok) throw new Error('logon');
          // The victim: a pattern in its storage, then a disabled wait.
          const pattern = new Uint8Array(0x40000);
          for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7 + 3) & 0xff;
          pattern.set([0x00, 0x0a, 0x00, 0x00, 0, 0, 0, 0], 0x1000);
          victim.vm.load(0, pattern);
          victim.vm.start(0x000a0000, 0);
          const victimSum = checksum(pattern);
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
          hostile.vm.load(0, low);
          const code = instructionStream(seed);
          for (let page = 1; page < 48; page++) hostile.vm.load(page * 4096, code);
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
          for (let page = 49; page < 64; page++) hostile.vm.load(page * 4096, ccws);
          // Page 48: well-formed ORBs (format 1 or 0, all paths) naming those channel programs.
          const orbs = new Uint8Array(4096);
          const ov = new DataView(orbs.buffer);
          for (let i = 0; i < 4096; i += 16) {
            const w = regs[(i >>> 4) & 15]! ^ lowcore[(i >>> 4) & 63]!;
            ov.setUint32(i, w);
            ov.setUint32(i + 4, (w & 1) === 0 ? 0x0080ff00 : 0x0000ff00);
            ov.setUint32(i + 8, 0x31000 + ((w >>> 5) & 0xeff8));
          }
          hostile.vm.load(48 * 4096, orbs);
          // Its subchannels are enabled, as a guest that issued MSCH would have them.
          for (const sch of hostile.vm.io.subchannels) sch.enabled = true;
          const gpr = regs.map((x, i) => (i === 1 ? 0x00010000 | (x % 6) : i % 3 === 0 ? 0x30000 + (x & 0xfff8) : x) | 0);
          hostile.vm.cpus[0]!.cpu.gpr.set(gpr);
          hostile.vm.start(pswHigh, 0x80001000);
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
          victim.vm.storage.readBytes(0, v);
          check(checksum(v) === victimSum, 'victim storage changed');
          const realAfter = [...real.writtenTracks()].filter((t) => t.cc < 20 || t.cc >= 25).map((t) => JSON.stringify(t));
          check(JSON.stringify(realAfter) === JSON.stringify(realBefore), 'a cylinder outside the hostile minidisk changed');
          // Nothing outside the two windows and their CP areas was stored into.
          const windows = [victim.vm.storage, hostile.vm.storage].map((s) => [s.origin >>> 12, (s.cpArea + 64 * 1024) >>> 12] as const);
          cp.realStorage.frames.forEach((f, i) => {
            if (f !== undefined) check(windows.some(([a, b]) => i >= a && i < b), `real frame ${i} outside the VM windows was stored into`);
          });
          const lists = cp.lists();
          check(lists.dispatch.length + lists.eligible.length + lists.dormant.length === 3, 'scheduler lists lost a virtual CPU');
          const c = hostile.vm.counters;
          // It did run: instructions executed, or (trap-and-emulate) trapped at the first one.
          check(c.instructions + c.interceptions > 0, 'the hostile guest did not run');
        },
      );
}
