/**
 * CP commands added to `executeCommand` for the terminal and DIAGNOSE X'08'
 * alike: LOGOFF from the guest (the VM disappears once its DIAGNOSE has
 * completed, in both execution styles, while other users keep running),
 * QUERY TIME's CONNECT= from the user's LOGON, SYSTEM CLEAR of a user
 * that IPLed a saved system (its shared pages unmapped, never copied),
 * QUERY NSS from CMS, DEFSYS and SAVESYS (class E), and the index of
 * minidisk writers behind LINK's and LOGON's R/W checks, against a scan
 * of every logged-on user's devices.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CMS_SMALL_STORAGE,
  type ControlProgram,
  createCp,
  executeCommand,
  formatCmsDisk,
  installCms,
  saveCmsSystem,
  type VirtualMachine,
} from '../src/index';
import { assembleGuest } from './helpers';
import { cpFrom, kernelMinidisks, loadGuest, logonUser } from './rig';

const DIRECTORY = `
USER ALICE ALICE 1M 4M G
 CONSOLE 009 3215
 MDISK 191 3390 10 5 VMRES1 MR
USER BOB BOB 1M 4M G
 CONSOLE 009 3215
 MDISK 191 3390 20 5 VMRES1 MW
 LINK ALICE 191 291 MR
USER CAROL CAROL 1M 4M G
 CONSOLE 009 3215
 LINK ALICE 191 191 W
 LINK BOB 191 192 WR
USER DAVE DAVE 1M 4M G
 CONSOLE 009 3215
 LINK BOB 191 191 MW
USER OPER OPER 1M 4M EG
 CONSOLE 009 3215
`;

function system(): ControlProgram {
  return cpFrom(DIRECTORY, [{ volser: 'VMRES1', volume: kernelMinidisks(100, [10]) }], {
    realStorage: 64 << 20,
  });
}

/**
 * A guest that gives CP `command` through DIAGNOSE X'08' (Rx the address,
 * Ry the length), runs `after` (assembler lines, each ending in a newline)
 * if CP resumes it, then loops.
 */
const diagnose08 = (command: string, after = ''): string => `
T        START X'1000'
         BALR  12,0
         USING *,12
         LA    2,CMD
         LA    3,L'CMD
         DIAG  2,3,X'008'
${after}LOOP     B     LOOP
CMD      DC    C'${command}'
         END   T`;

/** Simulated seconds → CP clock cycles. */
const seconds = (cp: ControlProgram, s: number) => s * 1e6 * cp.clock.cyclesPerMicrosecond;

describe('LOGOFF from the guest (DIAGNOSE X08)', () => {
  for (const style of ['trap-and-emulate', 'sie'] as const) {
    it(`the VM disappears after its DIAGNOSE completed; the other users run on (${style})`, () => {
      const cp = system();
      const alice = logonUser(cp, 'ALICE', style);
      const bob = logonUser(cp, 'BOB', style);
      loadGuest(
        alice,
        diagnose08('LOGOFF', "         MVI   X'800',X'FF'      would run only if CP resumed the guest\n"),
      );
      loadGuest(
        bob,
        `
T        START X'1000'
         BALR  12,0
         USING *,12
LOOP     AHI   5,1
         B     LOOP
         END   T`,
      );
      cp.clock.advanceTo(seconds(cp, 75));
      cp.run(2_000_000);
      expect(cp.users()).toEqual(['BOB']);
      expect(cp.vm('ALICE')).toBeUndefined();
      // CP's LOGOFF lines on the user's console (its terminal shows them), as z/VM prints them.
      expect(alice.consoleLines.slice(-2)).toEqual([
        expect.stringMatching(/^CONNECT= 00:01:15 VIRTCPU= 000:00\.\d\d TOTCPU= 000:00\.\d\d$/),
        'LOGOFF AT 00:01:15 UTC MONDAY 01/01/00',
      ]);
      // The DIAGNOSE completed (PSW past it), and not one instruction after it ran.
      expect(alice.cpus[0]!.getPsw()[1]! & 0x7fffffff).toBe(0x100e);
      expect(alice.counters.emulated['DIAG 008']).toBe(1);
      // Its storage went back scrubbed; BOB kept running through and after it.
      expect(alice.storage.read32(0x1000)).toBe(0);
      const before = bob.counters.instructions;
      cp.run(1_000_000);
      expect(bob.counters.instructions).toBeGreaterThan(before);
      expect(cp.lists().dispatch).toEqual(['BOB.0']);
      // The userid can log on again.
      expect(cp.logon('ALICE').ok).toBe(true);
    });
  }

  it('LOGOFF HOLD and QUICKLY are accepted; another operand is refused and the user stays', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, alice, 'LOGOFF NOW')).toEqual({
      rc: 26,
      lines: ['HCPLGF026E Operand missing or invalid: NOW'],
    });
    expect(cp.users()).toEqual(['ALICE']);
    const r = executeCommand(cp, alice, 'LOGOFF HOLD');
    expect(r.rc).toBe(0);
    expect(r.lines[1]).toBe('LOGOFF AT 00:00:00 UTC MONDAY 01/01/00');
    expect(cp.users()).toEqual([]);
  });
});

describe('SYSTEM RESET from the guest (DIAGNOSE X08)', () => {
  it('resets the machine after the DIAGNOSE completed: the reset PSW stays, the console I/O is reset', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    loadGuest(alice, diagnose08('SYSTEM RESET'));
    cp.run(1_000_000);
    expect(alice.consoleLines.at(-1)).toBe('System reset.');
    expect(alice.runState()).toBe('stopped');
    expect(alice.cpus[0]!.getPsw()).toEqual([0, 0]);
    expect(cp.users()).toEqual(['ALICE']);
  });
});

describe('QUERY TIME', () => {
  it("CONNECT= counts from the user's own LOGON, from the terminal and from the guest", () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    cp.clock.advanceTo(seconds(cp, 30));
    const bob = logonUser(cp, 'BOB');
    cp.clock.advanceTo(seconds(cp, 91));
    expect(executeCommand(cp, alice, 'QUERY TIME', { source: 'guest' }).lines).toEqual([
      'TIME IS 00:01:31 UTC MONDAY 01/01/00',
      'CONNECT= 00:01:31 VIRTCPU= 000:00.00 TOTCPU= 000:00.00',
    ]);
    expect(executeCommand(cp, bob, 'Q TIME').lines[1]).toBe(
      'CONNECT= 00:01:01 VIRTCPU= 000:00.00 TOTCPU= 000:00.00',
    );
    // A terminal that connected later (a RECONNECT) gives its own start.
    cp.connectTerminals({
      terminalOf: (u) => (u === 'BOB' ? 'L0002' : null),
      connectedSince: (u) => (u === 'BOB' ? 90 : null),
    });
    expect(executeCommand(cp, bob, 'QUERY TIME').lines[1]).toMatch(/^CONNECT= 00:00:01 /);
  });
});

describe('the writers index', () => {
  it('property: after any LOGON/LOGOFF/LINK/DETACH sequence, minidiskWriter agrees with a scan of every device', () => {
    const users = ['ALICE', 'BOB', 'CAROL', 'DAVE'];
    const disks = [
      ['ALICE', 0x191],
      ['BOB', 0x191],
    ] as const;
    const modes = ['R', 'W', 'WR', 'M', 'MR', 'MW'];
    const step = fc.oneof(
      fc.record({ op: fc.constant('logon' as const), user: fc.constantFrom(...users) }),
      fc.record({ op: fc.constant('logoff' as const), user: fc.constantFrom(...users) }),
      fc.record({
        op: fc.constant('link' as const),
        user: fc.constantFrom(...users),
        disk: fc.constantFrom(...disks),
        vdev: fc.constantFrom(0x191, 0x192, 0x291, 0x391),
        mode: fc.constantFrom(...modes),
      }),
      fc.record({
        op: fc.constant('detach' as const),
        user: fc.constantFrom(...users),
        vdev: fc.constantFrom(0x191, 0x192, 0x291, 0x391),
      }),
      fc.record({ op: fc.constant('define' as const), user: fc.constantFrom(...users) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const cp = system();
        for (const s of steps) {
          const vm = cp.vm(s.user);
          if (s.op === 'logon') cp.logon(s.user);
          else if (vm === undefined) continue;
          else if (s.op === 'logoff') cp.logoff(s.user);
          else if (s.op === 'link')
            executeCommand(
              cp,
              vm,
              `LINK ${s.disk[0]} ${s.disk[1].toString(16)} ${s.vdev.toString(16)} ${s.mode}`,
            );
          else if (s.op === 'detach') executeCommand(cp, vm, `DETACH ${s.vdev.toString(16)}`);
          else executeCommand(cp, vm, 'DEFINE STORAGE 2M');
          for (const [owner, vdev] of disks) {
            const holders = cp
              .users()
              .filter((u) =>
                cp
                  .vm(u)!
                  .io.subchannels.some(
                    (x) =>
                      x.device.kind === 'minidisk' &&
                      !x.device.readOnly &&
                      x.device.owner === owner &&
                      x.device.ownerVdev === vdev,
                  ),
              );
            for (const except of [undefined, ...users]) {
              const expected = holders.filter((u) => u !== except);
              const got = cp.minidiskWriter(owner, vdev, except);
              if (expected.length === 0) expect(got).toBeNull();
              else expect(expected).toContain(got);
            }
          }
        }
      }),
      { numRuns: 200, seed: 0x5eed },
    );
  });
});

describe('DEFSYS and SAVESYS (class E)', () => {
  it('save a stopped program as a system with one shared page; another user IPLs it by name', () => {
    const cp = system();
    const oper = logonUser(cp, 'OPER');
    const alice = logonUser(cp, 'ALICE');
    // Not class E: CP answers as for an unknown command.
    expect(executeCommand(cp, alice, 'SAVESYS HELLO').lines).toEqual([
      'HCPCMD001E Unknown CP command: SAVESYS',
    ]);
    expect(executeCommand(cp, oper, 'SAVESYS HELLO')).toEqual({
      rc: 1,
      lines: ['HCPNSS445E System HELLO is not defined; DEFSYS it first'],
    });
    expect(executeCommand(cp, oper, 'DEFSYS HELLO 2 SW').rc).toBe(26);
    expect(executeCommand(cp, oper, 'DEFSYS HELLO 0-1 EW 3 SR').rc).toBe(26);
    expect(executeCommand(cp, oper, 'DEFSYS HELLO 0-1 EW 2 SR')).toEqual({ rc: 0, lines: [] });
    const program = assembleGuest(`
H        START X'2000'
         BALR  12,0
         USING *,12
         LA    2,CMD
         LA    3,L'CMD
         DIAG  2,3,X'008'
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
CMD      DC    C'QUERY USERID'
         END   H`);
    for (const c of program.chunks) oper.load(c.address, c.bytes);
    // A non-shared page's contents travel too: a constant in page 1.
    oper.load(0x1000, Uint8Array.of(0xc1, 0xc2));
    oper.start(0x00080000, 0x80002000);
    // Running: SAVESYS wants the machine stopped where the system should start.
    expect(executeCommand(cp, oper, 'SAVESYS HELLO').rc).toBe(446);
    cp.stop('OPER');
    expect(executeCommand(cp, oper, 'SAVESYS HELLO').lines).toEqual([
      'HCPNSS440I Named Saved System (NSS) HELLO was successfully saved in fileid 0001.',
    ]);
    const hello = cp.savedSystems.get('HELLO')!;
    expect(hello).toMatchObject({ firstPage: 0, shared: { from: 2, to: 2 }, psw: [0x00080000, 0x80002000] });
    expect(cp.savedSystems.skeleton('HELLO')).toBeUndefined();
    expect(executeCommand(cp, alice, 'IPL HELLO')).toEqual({ rc: 0, lines: [] });
    cp.run(1_000_000);
    expect(alice.consoleLines).toContain('ALICE AT STRACHEY');
    expect(alice.storage.read8(0x1001)).toBe(0xc2);
    expect(cp.savedSystems.counters()).toMatchObject({ mappedFrames: 1, privateCopies: 0 });
    expect(executeCommand(cp, alice, 'QUERY NSS').lines).toEqual([
      'NAME     PAGES          SHARED         USERS',
      'HELLO    000000-002FFF  002000-002FFF      1',
    ]);
  });
});

describe('SYSTEM CLEAR of a CMS user and QUERY NSS from CMS', () => {
  function cms(users: number) {
    const volume = new CkdVolume(geometry3390(users + 20));
    if (!installCms(volume, { start: 1, cylinders: 1 }).ok) throw new Error('installCms');
    let directory = 'USER MAINT PW 1M 1M G\n MDISK 190 3390 1 1 VMRES1 RR\n';
    for (let i = 0; i < users; i++) {
      const f = formatCmsDisk(
        volume,
        { start: 10 + i, cylinders: 1 },
        { label: `U${i}XXXX`.slice(0, 6), files: [] },
      );
      if (!f.ok) throw new Error(f.error.message);
      directory += `USER U${i} PW ${CMS_SMALL_STORAGE / 1024}K 1M G\n IPL CMS\n CONSOLE 009 3215\n MDISK 191 3390 ${10 + i} 1 VMRES1 MR\n`;
    }
    const r = createCp({ directory, volumes: [{ volser: 'VMRES1', volume }], realStorage: 64 << 20 });
    if (!r.ok) throw new Error('directory');
    const cp = r.cp;
    if (!saveCmsSystem(cp.savedSystems).ok) throw new Error('saveCmsSystem');
    const run = () => {
      for (let i = 0; i < 400; i++) if (cp.run(50_000_000).reason === 'idle' && !cp.realIo.busy) break;
    };
    const vms: VirtualMachine[] = [];
    for (let i = 0; i < users; i++) {
      vms.push(logonUser(cp, `U${i}`));
      expect(cp.ipl(`U${i}`).ok).toBe(true);
    }
    run();
    return { cp, run, vms };
  }

  it('SYSTEM CLEAR unmaps the shared CMS pages (no private copy, no message); the other user still runs CMS', () => {
    const { cp, run, vms } = cms(2);
    const [u0, u1] = vms as [VirtualMachine, VirtualMachine];
    expect(cp.savedSystems.counters()).toMatchObject({ mappedFrames: 4, privateCopies: 0 });
    const nucleus = u1.storage.read32(0x2000);
    expect(executeCommand(cp, u0, 'SYSTEM CLEAR').lines).toEqual(['Storage cleared - system reset.']);
    expect(cp.savedSystems.counters()).toMatchObject({ mappedFrames: 2, privateCopies: 0 });
    expect(u0.consoleLines.some((l) => l.startsWith('DMKVMA181E'))).toBe(false);
    expect(u0.storage.read32(0x2000)).toBe(0);
    expect(u1.storage.read32(0x2000)).toBe(nucleus);
    u1.queueConsoleInput('QUERY DISK');
    run();
    expect(u1.consoleLines.at(-1)).toMatch(/^Ready; T=/);
    // IPL CMS again after the CLEAR: the pages are mapped again, still shared.
    expect(executeCommand(cp, u0, 'IPL CMS').rc).toBe(0);
    run();
    expect(u0.consoleLines.at(-1)).toMatch(/^Ready; T=/);
    expect(cp.savedSystems.counters()).toMatchObject({ mappedFrames: 4, privateCopies: 0 });
  });

  it('CP IPL CMS from CMS starts a new CMS at the saved PSW once the DIAGNOSE completed; CP IPL NOSUCH answers at once', () => {
    const { cp, run, vms } = cms(1);
    const u0 = vms[0]!;
    u0.queueConsoleInput('CP IPL NOSUCH');
    run();
    expect(u0.consoleLines).toContain('HCPNSS440E Saved system NOSUCH was not found');
    // CMS shows CP's return code.
    expect(u0.consoleLines.at(-1)).toMatch(/^Ready\(00001\); T=/);
    u0.queueConsoleInput('CP IPL CMS');
    run();
    expect(u0.consoleLines.filter((l) => l === 'CMS VERSION 1.0 STRACHEY')).toHaveLength(2);
    expect(u0.consoleLines.at(-1)).toMatch(/^Ready; T=/);
    expect(u0.runState()).toBe('waiting');
    expect(cp.savedSystems.counters()).toMatchObject({ ipls: 2, mappedFrames: 2, privateCopies: 0 });
  });

  it("CMS's CP QUERY NSS reaches CP through DIAGNOSE X'08'", () => {
    const { run, vms } = cms(1);
    const u0 = vms[0]!;
    u0.queueConsoleInput('CP QUERY NSS');
    run();
    expect(u0.consoleLines.slice(-3)).toEqual([
      'NAME     PAGES          SHARED         USERS',
      'CMS      002000-003FFF  002000-003FFF      1',
      expect.stringMatching(/^Ready; T=/),
    ]);
  });
});
