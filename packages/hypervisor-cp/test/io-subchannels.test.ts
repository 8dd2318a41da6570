/**
 * Virtual subchannels that come and go: DETACH frees a subchannel number
 * anywhere (the guest then finds no device there: condition code 3 for
 * STSCH, MSCH, SSCH, TSCH, HSCH, CSCH), LINK and DEFINE take the lowest free
 * number, DETACH stops the device's I/O (a running real channel program,
 * a DIAGNOSE X'18' the guest waits for), more minidisks than CP has work
 * areas all complete, and CP's run() does not stop while a real completion
 * is still to come.
 */
import type { CkdVolume } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ControlProgram, executeCommand, type VirtualMachine } from '../src/index';
import { expectAnswers } from './answers';
import { assembleGuest } from './helpers';
import {
  CYLINDER1_RECORD1,
  cpFrom,
  DIAG18_READ_CCWS,
  ENABLE_SUBCHANNEL,
  kernelMinidisks,
  loadGuest,
  logonUser,
  readRecordCcws,
  startSubchannel,
} from './rig';

const DIRECTORY = `
USER ALICE ALICE 1M 4M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 MDISK 191 3390 10 5 VMRES1 MR
USER BOB BOB 1M 4M G
 CONSOLE 009 3215
 MDISK 191 3390 20 5 VMRES1 MR
USER CAROL CAROL 1M 4M G
 MACHINE ESA 2
 CONSOLE 009 3215
 MDISK 191 3390 30 5 VMRES1 MR
`;

function system(): { cp: ControlProgram; real: CkdVolume } {
  const real = kernelMinidisks(100, [10, 20, 30]);
  return {
    cp: cpFrom(DIRECTORY, [{ volser: 'VMRES1', volume: real }], { realStorage: 64 * 1024 * 1024 }),
    real,
  };
}

/**
 * For subchannels 0-7: STSCH, MSCH (enable), SSCH (a NOP), TSCH, HSCH,
 * CSCH — the six condition codes in bytes 0-5 of an 8-byte slot at
 * X'600' + 8n, the SCHIB's device number in bytes 6-7.
 */
const PROBE = `
T        START X'1000'
         BALR  12,0
         USING *,12
         SR    4,4
         LA    5,X'600'
LOOP     L     1,=X'00010000'
         AR    1,4
         XC    SCHIB(52),SCHIB
         STSCH SCHIB
         BAL   9,CC
         STC   3,0(5)
         MVC   6(2,5),SCHIB+6
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         BAL   9,CC
         STC   3,1(5)
         SSCH  ORB
         BAL   9,CC
         STC   3,2(5)
         TSCH  IRB
         BAL   9,CC
         STC   3,3(5)
         HSCH
         BAL   9,CC
         STC   3,4(5)
         CSCH
         BAL   9,CC
         STC   3,5(5)
         LA    5,8(5)
         LA    4,1(4)
         C     4,=F'8'
         BL    LOOP
         LPSW  DONE
CC       IPM   3
         SRL   3,28
         BR    9
         DS    0D
DONE     DC    X'000A0000',X'00000000'
ORB      DC    F'0',X'00808000',A(NOP)
         DS    0D
NOP      DC    X'03',X'20',AL2(1),A(0)
SCHIB    DS    XL52
IRB      DS    XL64
         END   T`;

function probe(vm: VirtualMachine): { cc: number[]; devno: number }[] {
  const out: { cc: number[]; devno: number }[] = [];
  for (let n = 0; n < 8; n++) {
    const cc: number[] = [];
    for (let i = 0; i < 6; i++) cc.push(vm.storage.read8(0x600 + 8 * n + i));
    out.push({ cc, devno: vm.storage.read16(0x600 + 8 * n + 6) });
  }
  return out;
}

describe('DETACH frees a subchannel number anywhere', () => {
  it('the detached number answers cc 3 to STSCH, MSCH, SSCH, TSCH, HSCH and CSCH; its neighbours are untouched', () => {
    const { cp } = system();
    const vm = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, vm, 'DETACH 00C')).toEqual({ rc: 0, lines: ['RDR 000C DETACHED'] });
    loadGuest(vm, PROBE);
    cp.run(200_000_000);
    const p = probe(vm);
    // Subchannel 1 (the reader) is gone; 0, 2, 3 keep console, punch, minidisk; 4-7 never had a device.
    expect(p[1]).toEqual({ cc: [3, 3, 3, 3, 3, 3], devno: 0 });
    expect(p.map((x) => x.devno)).toEqual([0x009, 0, 0x00d, 0x191, 0, 0, 0, 0]);
    for (const n of [0, 2, 3]) expect(p[n]!.cc.slice(0, 3)).toEqual([0, 0, 0]);
    for (const n of [4, 5, 6, 7]) expect(p[n]!.cc).toEqual([3, 3, 3, 3, 3, 3]);
    expect(executeCommand(cp, vm, 'QUERY VIRTUAL').lines.map((l) => l.slice(0, 9))).toEqual([
      'STORAGE =',
      'CONS 0009',
      'PUN  000D',
      'DASD 0191',
    ]);
  });

  it('LINK and DEFINE take the lowest free number; DEFINE STORAGE keeps every number, gaps included', () => {
    const { cp } = system();
    let vm = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, vm, 'DETACH 009 00D').lines).toEqual([
      'CONS 0009 DETACHED',
      'PUN 000D DETACHED',
    ]);
    expect(vm.io.subchannels.map((s) => s.number)).toEqual([1, 3]);
    expect(executeCommand(cp, vm, 'LINK BOB 191 291 RR')).toEqual({ rc: 0, lines: [] });
    expect(vm.io.byDevice(0x291)!.number).toBe(0);
    expect(executeCommand(cp, vm, 'DEFINE PRINTER 00E')).toEqual({ rc: 0, lines: ['PRT 000E DEFINED'] });
    expect(vm.io.byDevice(0x00e)!.number).toBe(2);
    expect(executeCommand(cp, vm, 'DEFINE PUNCH 00D').lines).toEqual(['PUN 000D DEFINED']);
    expect(vm.io.byDevice(0x00d)!.number).toBe(4);
    expect(executeCommand(cp, vm, 'DETACH 00E').lines).toEqual(['PRT 000E DETACHED']);
    const before = vm.io.subchannels.map((s) => [s.device.vdev, s.number]);
    expect(before).toEqual([
      [0x291, 0],
      [0x00c, 1],
      [0x191, 3],
      [0x00d, 4],
    ]);
    expect(executeCommand(cp, vm, 'DEFINE STORAGE 2M').lines).toEqual([
      'STORAGE = 2M',
      'Storage cleared - system reset.',
    ]);
    vm = cp.vm('ALICE')!;
    expect(vm.io.subchannels.map((s) => [s.device.vdev, s.number])).toEqual(before);
    expect(executeCommand(cp, vm, 'QUERY VIRTUAL 291').lines).toEqual([
      'DASD 0291 3390 VMRES1 R/O      5 CYL ON DASD 0100 SUBCHANNEL = 0000',
    ]);
  });

  it('errors in CP’s style: no such device, already defined, a user or minidisk that does not exist', () => {
    const { cp } = system();
    const vm = logonUser(cp, 'ALICE');
    expectAnswers(cp, vm, [
      ['DETACH 555', { rc: 40, lines: ['HCPDTV040E Device 0555 does not exist'] }],
      ['DETACH', { rc: 22, lines: ['HCPDTV022E Virtual device number missing or invalid'] }],
      ['LINK BOB 191 191 RR', { rc: 6, lines: ['HCPLNM006E Device 0191 already defined'] }],
      ['LINK NOSUCH 191 192', ['HCPLNM053E NOSUCH not in CP directory']],
      ['LINK BOB 199 192', ['HCPLNM040E Device 0199 does not exist']],
      ['DEFINE READER 009', ['HCPCDF006E Device 0009 already defined']],
    ]);
  });

  it('property: after any sequence of DETACH, LINK and DEFINE the numbers are the lowest free ones and exactly the free numbers are not operational', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('detach' as const),
        vdev: fc.constantFrom(0x009, 0x00c, 0x00d, 0x191, 0x200, 0x201, 0x202, 0x00e),
      }),
      fc.record({ kind: fc.constant('link' as const), vdev: fc.constantFrom(0x200, 0x201, 0x202, 0x191) }),
      fc.record({ kind: fc.constant('define' as const), vdev: fc.constantFrom(0x00e, 0x00c, 0x00d) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const { cp } = system();
        const vm = logonUser(cp, 'ALICE');
        // The model: subchannel number → device number.
        const model = new Map<number, number>([
          [0, 0x009],
          [1, 0x00c],
          [2, 0x00d],
          [3, 0x191],
        ]);
        const lowestFree = (): number => {
          let n = 0;
          while (model.has(n)) n++;
          return n;
        };
        const has = (vdev: number): boolean => [...model.values()].includes(vdev);
        for (const o of ops) {
          const v = o.vdev.toString(16);
          if (o.kind === 'detach') {
            const r = executeCommand(cp, vm, `DETACH ${v}`);
            expect(r.rc).toBe(has(o.vdev) ? 0 : 40);
            for (const [n, d] of model) if (d === o.vdev) model.delete(n);
          } else {
            const r = executeCommand(
              cp,
              vm,
              o.kind === 'link' ? `LINK BOB 191 ${v} RR` : `DEFINE PRINTER ${v}`,
            );
            expect(r.rc).toBe(has(o.vdev) ? 6 : 0);
            if (r.rc === 0) model.set(lowestFree(), o.vdev);
          }
        }
        expect(vm.io.subchannels.map((s) => [s.number, s.device.vdev])).toEqual(
          [...model].sort((a, b) => a[0] - b[0]),
        );
        const schib = new Uint8Array(52);
        const access = {
          fetch: (_a: number, out: Uint8Array): number => {
            out.fill(0);
            return 0;
          },
          store: (_a: number, data: Uint8Array): number => {
            schib.set(data.subarray(0, 52));
            return 0;
          },
        };
        for (let n = 0; n < 10; n++) {
          const cc = vm.io.execute(0xb234, 0x00010000 | n, 0x800, access);
          expect(cc).toBe(model.has(n) ? 0 : 3);
          if (cc === 0) expect((schib[6]! << 8) | schib[7]!).toBe(model.get(n));
        }
      }),
      { numRuns: 60, seed: 0xde7ac4 },
    );
  });
});

/**
 * Assembler: the end of the reading guests — DONE (a disabled wait PSW),
 * the ORB and the format-1 chain that reads cylinder 1 record 1 into
 * X'700', then SCHIB and IRB.
 */
const READ_TAIL = `         DS    0D
DONE     DC    X'000A0000',X'00000000'
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
${readRecordCcws('CCW', "X'700'")}
${CYLINDER1_RECORD1}
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
         END   T`;

/** READ DATA of record 1 on cylinder 1 (the MINIKERN greeting) through SSCH on subchannel `sch`, then a disabled wait. */
function reader(sch: number, more = ''): string {
  return `${startSubchannel(`0001000${sch}`)}
POLL     TSCH  IRB
         BC    1,GONE
         BNZ   POLL
         MVC   X'500'(12),IRB
${more}
         LPSW  DONE
GONE     MVI   X'50F',X'03'
         LPSW  DONE
${READ_TAIL}`;
}

describe('DETACH stops the device’s I/O', () => {
  it('a minidisk detached while its real program runs: the program is cleared, no status ever comes, the volume serves the next user', () => {
    const { cp } = system();
    const alice = logonUser(cp, 'ALICE');
    loadGuest(alice, reader(3));
    // Run only until ALICE's SSCH has gone to the real device.
    for (let i = 0; i < 1000 && (alice.counters.io['real-start'] ?? 0) === 0; i++) cp.run(2_000);
    expect(alice.counters.io['real-start']).toBe(1);
    expect(cp.realIo.busy).toBe(true);
    expect(executeCommand(cp, alice, 'DETACH 191').lines).toEqual(['DASD 0191 DETACHED']);
    const bob = logonUser(cp, 'BOB');
    loadGuest(bob, reader(1));
    cp.run(500_000_000);
    expect(cp.realIo.busy).toBe(false);
    // BOB's program ran on the same volume after the clear: CE+DE and the greeting.
    expect(bob.storage.read8(0x508)).toBe(0x0c);
    expect(bob.runState()).toBe('disabled-wait');
    // ALICE's next TSCH found no subchannel (cc 3); no status was ever stored for her.
    expect(alice.storage.read8(0x50f)).toBe(3);
    expect(alice.storage.read32(0x500)).toBe(0);
    expect(alice.storage.read32(0x508)).toBe(0);
    expect(alice.io.subchannel(3)).toBeUndefined();
  });

  it('an IPL while another virtual CPU waits in DIAGNOSE X18: the I/O reset abandons its request and the CPU waits no more', () => {
    const { cp } = system();
    const vm = logonUser(cp, 'CAROL');
    const g = assembleGuest(`
T        START X'1000'
         BALR  12,0
         USING *,12
         LA    2,X'191'
         LA    3,CCWS
         DIAG  2,3,X'018'
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000000'
${DIAG18_READ_CCWS}
         END   T`);
    for (const c of g.chunks) vm.load(c.address, c.bytes);
    const cpu1 = vm.cpus[1]!;
    cpu1.state = 'operating';
    cpu1.setPsw(0x00080000, 0x80000000 | g.entry);
    for (let i = 0; i < 1000 && vm.runState(1) !== 'blocked'; i++) cp.run(2_000);
    expect(vm.runState(1)).toBe('blocked');
    expect(cp.ipl('CAROL', 0x191).ok).toBe(true);
    cp.run(500_000_000);
    expect(cp.realIo.busy).toBe(false);
    // CPU 1 was reset and stopped by the IPL; restarted (SIGP restart, the RESTART key) it runs: it is not left blocked on the abandoned request.
    expect(vm.runState(1)).toBe('stopped');
    expect(vm.runState(0)).not.toBe('blocked');
    // Restart new PSW (X'0'): a disabled wait, so CPU 1 shows where it went.
    vm.storage.write32(0, 0x000a0000);
    vm.storage.write32(4, 0);
    vm.restart(1);
    expect(vm.runState(1)).toBe('disabled-wait');
  });

  it('a guest waiting in DIAGNOSE X18 on a minidisk that is detached resumes with cc 3, R15 = 13', () => {
    const { cp } = system();
    const vm = logonUser(cp, 'ALICE');
    loadGuest(
      vm,
      `
T        START X'1000'
         BALR  12,0
         USING *,12
         LA    2,X'191'
         LA    3,CCWS
         DIAG  2,3,X'018'
         IPM   4
         ST    4,X'500'
         ST    15,X'504'
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000000'
${DIAG18_READ_CCWS}
         END   T`,
    );
    for (let i = 0; i < 1000 && vm.runState() !== 'blocked'; i++) cp.run(2_000);
    expect(vm.runState()).toBe('blocked');
    expect(executeCommand(cp, vm, 'DETACH 191').rc).toBe(0);
    cp.run(100_000_000);
    expect(vm.runState()).toBe('disabled-wait');
    expect(vm.storage.read32(0x500) >>> 28).toBe(3);
    expect(vm.storage.read32(0x504)).toBe(13);
  });
});

describe('HALT and CLEAR SUBCHANNEL of a running minidisk program', () => {
  it.each([
    ['HSCH', 0x60],
    ['CSCH', 0x10],
  ] as const)(
    '%s: the real program stops; the guest gets the function in its SCSW and later reads are not done',
    (op, fc) => {
      const { cp } = system();
      const vm = logonUser(cp, 'ALICE');
      let ccws = '';
      for (let i = 0; i < 20; i++)
        ccws += `${readRecordCcws(`G${i}`, `X'${(0x2000 + 80 * i).toString(16).toUpperCase()}'`, '60')}\n`;
      loadGuest(
        vm,
        reader(3)
          // Once the first read has landed, halt (or clear) the rest of the program.
          .replace(
            '         SSCH  ORB\n',
            `         SSCH  ORB\n         L     2,=A(X'2000')\nSPIN     CLC   0(4,2),=F'0'\n         BE    SPIN\n         ${op}\n`,
          )
          .replace(
            /CCW {6}DC {4}X'07'[\s\S]*?A\(X'700'\)\n/,
            `CCW      DS    0D\n${ccws}         DC    X'03',X'20',AL2(1),A(0)\n`,
          ),
      );
      cp.run(1_000_000_000);
      expect(vm.runState()).toBe('disabled-wait');
      expect(cp.realIo.busy).toBe(false);
      expect(vm.storage.read8(0x502)).toBe(fc);
      // HSCH of a running program: primary and secondary status, channel end and device end; CSCH: no device status.
      expect(vm.storage.read8(0x508)).toBe(op === 'HSCH' ? 0x0c : 0);
      // Stopped early: the first read was done, the last never.
      expect(vm.storage.read32(0x2000)).not.toBe(0);
      expect(vm.storage.read32(0x2000 + 80 * 19)).toBe(0);
    },
  );
});

describe('LOGOFF and DEFINE STORAGE with I/O in flight', () => {
  it('LOGOFF stops the user’s real channel programs: the next user of the same real storage is not written by them', () => {
    const { cp } = system();
    const alice = logonUser(cp, 'ALICE');
    const origin = alice.storage.origin;
    // A long program: 40 reads of the greeting into consecutive 80-byte areas from X'2000'.
    let ccws = '';
    for (let i = 0; i < 40; i++)
      ccws += `${readRecordCcws(`G${i}`, `X'${(0x2000 + 80 * i).toString(16).toUpperCase()}'`, '60')}\n`;
    loadGuest(
      alice,
      reader(3).replace(
        /CCW {6}DC {4}X'07'[\s\S]*?A\(X'700'\)\n/,
        // First a READ COUNT into X'3000' (CP reads it into a bounce buffer and copies it at the end, cylinder un-relocated).
        `CCW      DC    X'07',X'40',AL2(6),A(SEEK)\n         DC    X'12',X'60',AL2(8),A(X'3000')\n${ccws}         DC    X'03',X'00',AL2(1),A(0)\n`,
      ),
    );
    // Log off in the middle of the program: the first reads have landed, later ones are still to come.
    for (let i = 0; i < 100_000 && alice.storage.read32(0x2000 + 80 * 3) === 0; i++) cp.run(5_000);
    expect(alice.storage.read32(0x2000 + 80 * 3)).not.toBe(0);
    expect(alice.storage.read32(0x2000 + 80 * 39)).toBe(0);
    expect(cp.realIo.busy).toBe(true);
    expect(cp.logoff('ALICE')).toBe(true);
    // BOB gets the same real storage window and waits in a disabled wait.
    const bob = logonUser(cp, 'BOB');
    expect(bob.storage.origin).toBe(origin);
    const mine = new Uint8Array(0x2000).fill(0xbb);
    bob.load(0x2000, mine);
    bob.start(0x000a0000, 0);
    cp.run(1_000_000_000);
    expect(cp.realIo.busy).toBe(false);
    // BOB's storage is what BOB put there: ALICE's program neither read into it nor copied its bounce buffer over it.
    const window = new Uint8Array(0x10000);
    bob.storage.readBytes(0, window);
    expect(window.subarray(0x2000, 0x4000).every((b) => b === 0xbb)).toBe(true);
    expect(window.subarray(0, 0x2000).every((b) => b === 0)).toBe(true);
    expect(window.subarray(0x4000).every((b) => b === 0)).toBe(true);
  });

  it('DEFINE STORAGE while the guest waits for a console READ: the system reset ends the READ and the new size is given', () => {
    const { cp } = system();
    const alice = logonUser(cp, 'ALICE');
    loadGuest(
      alice,
      `${startSubchannel('00010000')}
         LPSW  WAIT
         DS    0D
WAIT     DC    X'020A0000',X'80000000'
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'0A',X'20',AL2(80),A(X'800')
SCHIB    DS    XL52
         END   T`,
    );
    cp.run(10_000_000);
    expect(alice.io.subchannel(0)!.busy).toBe(true);
    expect(executeCommand(cp, alice, 'DEFINE STORAGE 2M').lines).toEqual([
      'STORAGE = 2M',
      'Storage cleared - system reset.',
    ]);
    expect(cp.vm('ALICE')!.storageSize).toBe(2 * 1024 * 1024);
  });
});

describe('IPL of a saved system with I/O in flight', () => {
  it('the old system’s console READ and minidisk program end before the shared pages are mapped: nothing stores into them', () => {
    const { cp } = system();
    // TINY: pages 2-3 shared (a pattern), entered in a disabled wait.
    const image = new Uint8Array(0x2000).map((_, i) => (i * 5 + 1) & 0xff);
    expect(
      cp.savedSystems.defineImage('TINY', {
        origin: 0x2000,
        bytes: image,
        psw: [0x000a0000, 0],
        shared: { from: 2, to: 3 },
      }).ok,
    ).toBe(true);
    const alice = logonUser(cp, 'ALICE');
    // ALICE: a console READ that waits, then 40 minidisk reads into X'2000'... (pages 2-3) and a spin.
    let ccws = '';
    for (let i = 0; i < 40; i++)
      ccws += `${readRecordCcws(`G${i}`, `X'${(0x2000 + 80 * i).toString(16).toUpperCase()}'`, '60')}\n`;
    loadGuest(
      alice,
      `
T        START X'1000'
         BALR  12,0
         USING *,12
         SR    4,4
ENABLE   L     1,=X'00010000'
         AR    1,4
${ENABLE_SUBCHANNEL}
         LA    4,3(4)
         C     4,=F'6'
         BL    ENABLE
         L     1,=X'00010000'
         SSCH  CONORB
         L     1,=X'00010003'
         SSCH  ORB
SPIN     B     SPIN
         DS    0D
CONORB   DC    F'1',X'00808000',A(READ)
ORB      DC    F'2',X'00808000',A(CCW)
         DS    0D
READ     DC    X'0A',X'20',AL2(80),A(X'900')
CCW      DS    0D
${ccws}         DC    X'03',X'20',AL2(1),A(0)
${CYLINDER1_RECORD1}
         DS    0F
SCHIB    DS    XL52
         END   T`,
    );
    const read = (): number => alice.storage.read32(0x2000 + 80 * 2);
    for (let i = 0; i < 100_000 && read() === 0; i++) cp.run(5_000);
    expect(read()).not.toBe(0);
    expect(alice.io.subchannel(0)!.busy).toBe(true);
    expect(cp.iplSystem('ALICE', 'TINY').ok).toBe(true);
    cp.run(1_000_000_000);
    expect(cp.realIo.busy).toBe(false);
    expect(alice.io.subchannel(0)!.busy).toBe(false);
    // Another user of TINY sees the saved pages as they were saved.
    const bob = logonUser(cp, 'BOB');
    expect(cp.iplSystem('BOB', 'TINY').ok).toBe(true);
    const seen = new Uint8Array(0x2000);
    bob.storage.readBytes(0x2000, seen);
    expect(Buffer.compare(seen, image)).toBe(0);
  });
});

describe('more minidisks than CP work areas', () => {
  it('seven links to one minidisk read at once: every program completes with CE+DE (starts beyond the work areas wait)', () => {
    const { cp } = system();
    const vm = logonUser(cp, 'ALICE');
    for (let i = 0; i < 6; i++)
      expect(executeCommand(cp, vm, `LINK BOB 191 ${(0x200 + i).toString(16)} RR`).rc).toBe(0);
    // Subchannels 3 (191) and 4-9 (200-205): start them all, then poll each.
    loadGuest(
      vm,
      `
T        START X'1000'
         BALR  12,0
         USING *,12
         LA    4,3
START    L     1,=X'00010000'
         AR    1,4
${ENABLE_SUBCHANNEL}
         SSCH  ORB
         LA    4,1(4)
         C     4,=F'10'
         BL    START
         LA    4,3
         LA    5,X'500'
POLLN    L     1,=X'00010000'
         AR    1,4
POLL     TSCH  IRB
         BNZ   POLL
         MVC   0(1,5),IRB+8
         LA    5,1(5)
         LA    4,1(4)
         C     4,=F'10'
         BL    POLLN
         LPSW  DONE
${READ_TAIL}`,
    );
    cp.run(1_000_000_000);
    expect(vm.runState()).toBe('disabled-wait');
    expect([...Array(7).keys()].map((i) => vm.storage.read8(0x500 + i))).toEqual([
      0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    ]);
    expect(vm.counters.io['real-start']).toBe(7);
  });
});

describe('run() and real I/O', () => {
  it('an IPL (two real programs in a row) while another user’s program waits for the same volume: both end, run() stops only when nothing is left', () => {
    const { cp } = system();
    const bob = logonUser(cp, 'BOB');
    const alice = logonUser(cp, 'ALICE');
    // BOB's read goes to the real volume first; ALICE's IPL queues behind it, then BOB's second read behind that.
    loadGuest(
      bob,
      reader(
        1,
        `         SSCH  ORB\nPOLL2    TSCH  IRB\n         BNZ   POLL2\n         MVC   X'510'(12),IRB`,
      ),
    );
    for (let i = 0; i < 1000 && (bob.counters.io['real-start'] ?? 0) === 0; i++) cp.run(2_000);
    expect(cp.ipl('ALICE', 0x191).ok).toBe(true);
    const r = cp.run(5_000_000_000);
    expect(r.reason).toBe('idle');
    expect(cp.realIo.busy).toBe(false);
    expect(alice.runState()).not.toBe('blocked');
    expect(bob.storage.read8(0x508)).toBe(0x0c);
    expect(bob.storage.read8(0x518)).toBe(0x0c);
    expect(cp.counters().realIoCompletions).toBe(4);
  });

  it('does not return idle while a real completion is still to come: it advances to it and the guest gets it', () => {
    const { cp } = system();
    const vm = logonUser(cp, 'ALICE');
    // The guest starts the read and waits enabled for its interruption (no timer: only the device can wake it).
    loadGuest(
      vm,
      reader(3).replace(
        `POLL     TSCH  IRB
         BC    1,GONE
         BNZ   POLL
         MVC   X'500'(12),IRB`,
        `         MVC   X'78'(8),IONEW
         LCTL  6,6,=X'FF000000'
         LPSW  WAITIO
IOINT    TSCH  IRB
         MVC   X'500'(12),IRB
         B     FIN
         DS    0D
WAITIO   DC    X'020A0000',X'80000000'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
FIN      DS    0H`,
      ),
    );
    const r = cp.run(5_000_000_000);
    expect(r.reason).toBe('idle');
    expect(cp.realIo.busy).toBe(false);
    expect(vm.storage.read8(0x508)).toBe(0x0c);
    expect(vm.runState()).toBe('disabled-wait');
  });
});
