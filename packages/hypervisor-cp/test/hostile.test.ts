/**
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
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIRECTORY, hostileIoProperty, hostileProperty } from './hostile-campaign';
import { createCp } from '../src/index';
import { assembleGuest, kernelVolume, placeMinidisk } from './helpers';

describe('hostile guests cannot escape their virtual machine', () => {
  it.each([
    ['trap-and-emulate', 150],
    ['sie', 60],
  ] as const)(
    '%s: random privileged-instruction streams, PSWs, tables and channel programs (%i runs)',
    (style, runs) => {
      fc.assert(hostileProperty(style), { numRuns: runs, seed: 0x5eed });
    },
    60_000,
  );

  it.each([
    ['trap-and-emulate', 60],
    ['sie', 30],
  ] as const)(
    '%s: I/O on subchannels that DETACH, LINK, DEFINE and SYSTEM RESET change under it, console READs with typed lines, CP commands by DIAGNOSE X08 (%i runs)',
    (style, runs) => {
      fc.assert(hostileIoProperty(style), { numRuns: runs, seed: 0xdeb1c });
    },
    60_000,
  );

  it('wild channel programs on every virtual device, including a minidisk and a read-only link (100 runs)', () => {
    // A well-behaved driver issuing hostile channel programs: for each of 16 ORBs, SSCH on the
    // subchannel its low bits name, then TSCH until status is pending.
    const driver = assembleGuest(`
D        START X'1000'
         BALR  12,0
         USING *,12
         L     7,=A(X'30000')
         LA    8,16
NEXT     L     1,0(7)
         N     1,=X'00000007'
         C     1,=F'5'
         BL    SCHOK
         LA    1,4
SCHOK    O     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SSCH  0(7)
         BNZ   SKIP
POLL     TSCH  IRB
         BNZ   POLL
         TM    IRB+3,X'04'
         BZ    POLL
SKIP     LA    7,16(7)
         BCT   8,NEXT
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'000A0000',X'00000000'
SCHIB    DS    XL52
IRB      DS    XL64
         END   D`);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4096, maxLength: 4096 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 48, maxLength: 48 }),
        (garbage, words) => {
          const real = new CkdVolume(geometry3390(100));
          placeMinidisk(real, 10, kernelVolume());
          placeMinidisk(real, 20, kernelVolume());
          const outside = (): string[] =>
            [...real.writtenTracks()].filter((t) => t.cc < 20 || t.cc >= 25).map((t) => JSON.stringify(t));
          const realBefore = outside();
          const r = createCp({
            directory: DIRECTORY,
            volumes: [{ volser: 'VMRES1', volume: real }],
            realStorage: 16 * 1024 * 1024,
          });
          if (!r.ok) throw new Error('directory');
          const victim = r.cp.logon('VICTIM');
          const hostile = r.cp.logon('HOSTILE');
          if (!victim.ok || !hostile.ok) throw new Error('logon');
          const pattern = new Uint8Array(0x40000).map((_, i) => (i * 13 + 5) & 0xff);
          victim.vm.load(0, pattern);
          victim.vm.start(0x000a0000, 0);
          for (const c of driver.chunks) hostile.vm.load(c.address, c.bytes);
          // ORBs: random parameter, format 0 or 1, random key, all paths, CCW address in the garbage pages.
          const orbs = new Uint8Array(256);
          const dv = new DataView(orbs.buffer);
          for (let i = 0; i < 16; i++) {
            const w = words[i]!;
            dv.setUint32(i * 16, w);
            dv.setUint32(i * 16 + 4, ((w >>> 28) << 28) | ((w & 1) === 0 ? 0x0080ff00 : 0x0000ff00));
            dv.setUint32(i * 16 + 8, 0x31000 + (words[i + 16]! & 0x1ff8));
          }
          hostile.vm.load(0x30000, orbs);
          // CCWs: commands drawn from DASD, TIC and unit-record sets, random flags/counts, data anywhere in (and beyond) storage.
          const cmds = [
            0x07, 0x31, 0x06, 0x05, 0x08, 0x1f, 0x04, 0x02, 0x13, 0x63, 0x1d, 0x12, 0x01, 0x09, 0x0b, 0x1b,
            0x0a,
          ];
          const page = garbage.slice();
          for (let i = 0; i < 4096; i += 8)
            if ((page[i + 7]! & 3) !== 0) page[i] = cmds[page[i]! % cmds.length]!;
          hostile.vm.load(0x31000, page);
          hostile.vm.load(0x32000, page);
          hostile.vm.start(0x00080000, 0x80001000);
          let thrown: unknown = null;
          try {
            r.cp.run(200_000_000);
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toBeNull();
          const v = new Uint8Array(0x40000);
          victim.vm.storage.readBytes(0, v);
          expect(Buffer.compare(v, pattern)).toBe(0);
          expect(outside()).toEqual(realBefore);
          expect(hostile.vm.counters.emulated.SSCH ?? 0).toBeGreaterThan(0);
          // Every started program ended with status the driver saw: it reaches its final wait.
          expect(hostile.vm.runState()).toBe('disabled-wait');
        },
      ),
      { numRuns: 100, seed: 0xc0ffee },
    );
  }, 60_000);
});
