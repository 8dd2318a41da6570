/**
 * CMS as a named saved system: `IPL CMS` maps the same nucleus frames into
 * every user's storage; the nucleus is pure, so running commands makes no
 * private copy; a user who stores into CMS's pages gets a private copy (and
 * CP's message), which it then executes, while every other user keeps the
 * shared original.
 */
import { readFileSync } from 'node:fs';
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  type CmsFile,
  CMS_SMALL_STORAGE,
  CpTerminalSystem,
  createCp,
  formatCmsDisk,
  installCms,
  queryNss,
  saveCmsSystem,
} from '../src/index';

const READY = /^Ready; T=\d+\.\d\d\/\d+\.\d\d \d\d:\d\d:\d\d$/;

/** A MODULE that stores `byte` at `address` (inside CMS's nucleus) and returns 0. */
function patchModule(address: number, byte: number): Uint8Array {
  const r = assemble(`
PATCH    START X'20000'
         USING PATCH,15
         L     3,=A(${address})
         MVI   0(3),${byte}
         SR    15,15
         BR    14
         END   PATCH`);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.image;
}

function cmsSymbol(name: string): number {
  const path = new URL('../cms/cms.asm', import.meta.url);
  const r = assemble(readFileSync(path, 'utf8'));
  if (!r.ok) throw new Error('cms.asm');
  const s = r.symbols.find((x) => x.name === name);
  if (s === undefined) throw new Error(name);
  return s.value;
}

/** `users` CMS users (128K, the scale runs' size, unless `storage` says more), each with a one-cylinder A-disk, whose directory says IPL CMS. */
function system(users: number, files: (i: number) => CmsFile[], storage = `${CMS_SMALL_STORAGE / 1024}K`) {
  const volume = new CkdVolume(geometry3390(users + 20));
  const sys = installCms(volume, { start: 1, cylinders: 1 });
  if (!sys.ok) throw new Error(sys.error);
  let directory = 'USER MAINT PW 1M 1M G\n MDISK 190 3390 1 1 VMRES1 RR\n';
  for (let i = 0; i < users; i++) {
    const f = formatCmsDisk(
      volume,
      { start: 10 + i, cylinders: 1 },
      { label: `U${i}`.padEnd(6, 'X').slice(0, 6), files: files(i) },
    );
    if (!f.ok) throw new Error(f.error.message);
    directory += `USER U${i} PW ${storage} 1M G\n IPL CMS\n CONSOLE 009 3215\n LINK MAINT 190 190 RR\n MDISK 191 3390 ${10 + i} 1 VMRES1 MR\n`;
  }
  const r = createCp({ directory, volumes: [{ volser: 'VMRES1', volume }], realStorage: 256 << 20 });
  if (!r.ok) throw new Error('directory');
  const cp = r.cp;
  const saved = saveCmsSystem(cp.savedSystems);
  if (!saved.ok) throw new Error(saved.error.message);
  // Until nobody can run: CMS waits for console input without a timer, so CP goes idle.
  const run = () => {
    for (let i = 0; i < 400; i++) if (cp.run(50_000_000).reason === 'idle' && !cp.realIo.busy) break;
  };
  return { cp, volume, run, system: saved.system };
}

const hostFrame = (cp: ReturnType<typeof system>['cp'], userid: string, address: number) =>
  (cp.vm(userid)!.storage.origin + address) >>> 12;

describe('CMS from the saved system CMS', () => {
  it("saves the pure nucleus as shared pages 2-3 entered at X'2000'", () => {
    const { system: s, cp } = system(1, () => []);
    expect(s.name).toBe('CMS');
    expect(s.firstPage).toBe(2);
    expect(s.shared).toEqual({ from: 2, to: 3 });
    expect(s.psw).toEqual([0x00080000, 0x80002000]);
    expect(queryNss(cp.savedSystems)[1]).toMatch(/^CMS +002000-003FFF +002000-003FFF +0$/);
  });

  it('200 users IPL CMS by name: one copy of the nucleus, every user runs a command and gets its own files', () => {
    const n = 200;
    const { cp, run } = system(n, (i) => [
      { fn: `FILE${i}`, ft: 'DATA', recfm: 'F', lrecl: 80, records: [`RECORD OF USER ${i}`] },
    ]);
    for (let i = 0; i < n; i++) {
      expect(cp.logon(`U${i}`, 'PW').ok).toBe(true);
      expect(cp.ipl(`U${i}`)).toEqual({ ok: true });
    }
    run();
    for (let i = 0; i < n; i++) {
      const vm = cp.vm(`U${i}`)!;
      expect(vm.consoleLines[0]).toBe('CMS VERSION 1.0 STRACHEY');
      expect(vm.consoleLines[1]).toMatch(READY);
      vm.queueConsoleInput(i % 2 === 0 ? 'LISTFILE' : `TYPE FILE${i} DATA`);
    }
    run();
    for (let i = 0; i < n; i++) {
      const lines = cp.vm(`U${i}`)!.consoleLines.slice(2);
      expect(lines[0]).toBe(i % 2 === 0 ? `FILE${i}`.padEnd(9) + 'DATA     A1' : `RECORD OF USER ${i}`);
      expect(lines[1]).toMatch(READY);
    }
    // The same host frame objects in every user's window; running CMS made no private copy.
    const master = cp.realStorage.frames[hostFrame(cp, 'U0', 0x2000)];
    expect(master).toBeDefined();
    for (let i = 0; i < n; i++) {
      expect(cp.realStorage.frames[hostFrame(cp, `U${i}`, 0x2000)]).toBe(master);
      expect(cp.realStorage.frames[hostFrame(cp, `U${i}`, 0x3000)]).toBe(
        cp.realStorage.frames[hostFrame(cp, 'U0', 0x3000)],
      );
    }
    expect(cp.realStorage.copiesOnWrite).toBe(0);
    expect(cp.savedSystems.counters()).toMatchObject({ ipls: n, mappedFrames: 2 * n, privateCopies: 0 });
    // Per user CP holds what CMS writes (NUCON page, A-disk directory and map, ...), not the nucleus.
    expect(cp.realStorage.allocatedFrames / n).toBeLessThan(8);
  });

  it.each(['trap-and-emulate', 'sie'] as const)(
    "a user who stores into CMS gets a private copy it runs, with CP's message; the others keep the original (%s)",
    (style) => {
      // Two patches: a byte of the message text, and the length operand of the instruction that types it
      // (UNKNOWN: LA 1,MSGUNK then LA 0,L'MSGUNK), which the user's CPU then executes from its own copy.
      const msgunk = cmsSymbol('MSGUNK');
      const lengthByte = cmsSymbol('UNKNOWN') + 7;
      const modules = [patchModule(msgunk, 0xe7), patchModule(lengthByte, 7)].map((m, k) => ({
        fn: `PATCH${k}`,
        ft: 'MODULE',
        recfm: 'F' as const,
        lrecl: m.length,
        records: [m],
      }));
      const { cp, run } = system(3, (i) => (i === 1 ? modules : []), '256K');
      for (let i = 0; i < 3; i++) {
        expect(cp.logon(`U${i}`, 'PW', { style }).ok).toBe(true);
        cp.ipl(`U${i}`);
      }
      run();
      const shared = cp.realStorage.frames[hostFrame(cp, 'U0', msgunk)];
      cp.vm('U1')!.queueConsoleInput('PATCH0');
      cp.vm('U1')!.queueConsoleInput('BOGUS');
      cp.vm('U1')!.queueConsoleInput('PATCH1');
      cp.vm('U1')!.queueConsoleInput('BOGUS');
      cp.vm('U0')!.queueConsoleInput('BOGUS');
      cp.vm('U2')!.queueConsoleInput('BOGUS');
      run();
      const u1 = cp.vm('U1')!.consoleLines.slice(2);
      expect(u1[0]).toBe('DMKVMA181E SHARED SYSTEM CMS REPLACED WITH NON-SHARED COPY');
      expect(u1).toContain('Xnknown CP/CMS command');
      expect(u1).toContain('Xnknown');
      expect(u1.filter((l) => l.startsWith('DMKVMA181E'))).toHaveLength(1);
      expect(cp.vm('U0')!.consoleLines).toContain('Unknown CP/CMS command');
      expect(cp.vm('U2')!.consoleLines).toContain('Unknown CP/CMS command');
      expect(cp.realStorage.frames[hostFrame(cp, 'U1', msgunk)]).not.toBe(shared);
      expect(cp.realStorage.frames[hostFrame(cp, 'U0', msgunk)]).toBe(shared);
      expect(cp.realStorage.frames[hostFrame(cp, 'U2', msgunk)]).toBe(shared);
      expect(cp.savedSystems.counters().privateCopies).toBe(new Set([msgunk >>> 12, lengthByte >>> 12]).size);
      // A new IPL CMS gives the user the shared pages back.
      cp.ipl('U1');
      expect(cp.realStorage.frames[hostFrame(cp, 'U1', msgunk)]).toBe(shared);
    },
  );

  it('SYSTEM CLEAR at the terminal unmaps the shared pages (no private copy, no message) and IPL CMS maps them again', () => {
    const { cp, run } = system(2, () => []);
    const terminals = new CpTerminalSystem(cp);
    const t = terminals.connect();
    const out: string[] = [];
    t.onOutput((l) => out.push(l));
    t.enter('LOGON U0 PW');
    cp.logon('U1', 'PW');
    cp.ipl('U1');
    run();
    const shared = cp.realStorage.frames[hostFrame(cp, 'U1', 0x2000)];
    expect(cp.realStorage.frames[hostFrame(cp, 'U0', 0x2000)]).toBe(shared);
    t.enter('#CP SYSTEM CLEAR');
    expect(out.at(-1)).toBe('Storage cleared - system reset.');
    expect(cp.vm('U0')!.storage.read32(0x2000)).toBe(0);
    expect(cp.realStorage.copiesOnWrite).toBe(0);
    expect(out.some((l) => l.startsWith('DMKVMA181E'))).toBe(false);
    expect(cp.realStorage.frames[hostFrame(cp, 'U1', 0x2000)]).toBe(shared);
    t.enter('IPL CMS');
    expect(cp.realStorage.frames[hostFrame(cp, 'U0', 0x2000)]).toBe(shared);
  });

  it("restoring a snapshot taken before IPL CMS leaves the other users' shared pages intact", () => {
    const { cp, run } = system(2, () => []);
    cp.logon('U0', 'PW');
    cp.logon('U1', 'PW');
    const snap = cp.snapshot();
    if (!snap.ok) throw new Error(snap.error.message);
    cp.ipl('U0');
    cp.ipl('U1');
    run();
    const shared = cp.realStorage.frames[hostFrame(cp, 'U1', 0x2000)]!;
    const before = shared.slice();
    // Both users' storage goes back to the snapshot (nothing at X'2000'); the saved pages themselves stay.
    expect(cp.restore(snap.snapshot)).toEqual({ ok: true });
    expect(shared).toEqual(before);
    expect(cp.vm('U0')!.storage.read32(0x2000)).toBe(0);
  });

  it('LOGOFF unmaps the shared pages without scrubbing them for the others', () => {
    const { cp, run } = system(2, () => []);
    cp.logon('U0', 'PW');
    cp.logon('U1', 'PW');
    cp.ipl('U0');
    cp.ipl('U1');
    run();
    const before = cp.realStorage.frames[hostFrame(cp, 'U1', 0x2000)]!.slice();
    expect(cp.logoff('U0')).toBe(true);
    expect(cp.realStorage.frames[hostFrame(cp, 'U1', 0x2000)]).toEqual(before);
    expect(before.some((b) => b !== 0)).toBe(true);
    cp.vm('U1')!.queueConsoleInput('QUERY DISK');
    run();
    expect(cp.vm('U1')!.consoleLines.at(-1)).toMatch(READY);
  });

  it('SAVESYS from a virtual machine stopped after IPL 190 gives a system that IPLs like the disk', () => {
    const { cp, run } = system(2, () => []);
    cp.logon('U0', 'PW');
    const vm = cp.vm('U0')!;
    // The operator's way: IPL the disk, stop at the IPL PSW, save pages 2-3 under a new name.
    expect(vm.ipl(0x190, () => cp.stop('U0'))).toEqual({ ok: true });
    run();
    expect(vm.runState()).toBe('stopped');
    const s = cp.savedSystems.saveFrom(vm, { name: 'CMSNEW', firstPage: 2, lastPage: 3 });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.system.psw).toEqual([0x00080000, 0x80002000]);
    cp.logon('U1', 'PW');
    expect(cp.iplSystem('U1', 'CMSNEW')).toEqual({ ok: true });
    expect(cp.iplSystem('U1', 'NOSUCH')).toEqual({
      ok: false,
      error: { code: 'HCPNSS440E', message: 'Saved system NOSUCH was not found' },
    });
    run();
    expect(cp.vm('U1')!.consoleLines[0]).toBe('CMS VERSION 1.0 STRACHEY');
  });
});

describe('saved systems and storage size', () => {
  it('refuses a virtual machine too small for the system', () => {
    const volume = new CkdVolume(geometry3390(10));
    const r = createCp({
      directory: 'USER TINY PW 8K 8K G\n',
      volumes: [{ volser: 'V', volume }],
      realStorage: 16 << 20,
    });
    if (!r.ok) throw new Error('dir');
    expect(saveCmsSystem(r.cp.savedSystems).ok).toBe(true);
    r.cp.logon('TINY', 'PW');
    const x = r.cp.iplSystem('TINY', 'CMS');
    expect(x.ok).toBe(false);
    if (!x.ok) expect(x.error.code).toBe('HCPNSS443E');
  });

  it("CMS in 128K: a MODULE (loaded at X'20000') does not fit and CMS says so", () => {
    const mod = patchModule(0x3f00, 0);
    const { cp, run } = system(1, () => [
      { fn: 'PATCH', ft: 'MODULE', recfm: 'F', lrecl: mod.length, records: [mod] },
    ]);
    cp.logon('U0', 'PW');
    cp.ipl('U0');
    run();
    cp.vm('U0')!.queueConsoleInput('PATCH');
    run();
    expect(cp.vm('U0')!.consoleLines.slice(2)).toEqual([
      'DMSPAT109S Virtual storage capacity exceeded',
      expect.stringMatching(/^Ready\(00104\); T=/),
    ]);
  });
});
