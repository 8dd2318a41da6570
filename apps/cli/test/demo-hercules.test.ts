import { herculesAvailable, runHerculesSettled, storageBytes } from '@strachey/hercules-oracle';
import { herculesAlterCommands } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { runBareMetal } from '../src/demo/bare-metal';
import { assembleGuest, defaultGuestSource } from '../src/demo/guest';
import { SILENT_PROGRESS } from '../src/progress';

/*
 * The demo's supervisor run on Debian's Hercules 3.13 and on isa-core must
 * compute the same things and take the same SVC and program interruptions.
 * How often the CPU timer preempts differs (Hercules' CPU timer runs in host
 * time), so dispatch counts and CPU times are not compared.
 */
const PARAMETERS = {
  sieveLimit: 200_000,
  collatzLimit: 20_000,
  rogueSpins: 300_000,
  sliceMicros: 200,
} as const;

const hex8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

describe.skipIf(!herculesAvailable())('bare-metal demo on Hercules 3.13', () => {
  // Room for the pause ladder below (3 + 8 + 20 s) on a loaded machine.
  it('leaves the same results, SVCs and abend as on isa-core', { timeout: 120_000 }, async () => {
    const guest = assembleGuest(defaultGuestSource());
    const s = guest.symbols;
    const ours = await runBareMetal({ progress: SILENT_PROGRESS, parameters: PARAMETERS });
    expect(ours.outcome).toBe('ok');

    const tcbBytes = s.TCBEND - s.TCBS;
    const script = [
      ...herculesAlterCommands(guest.assembly.chunks),
      `r ${hex8(s.SIEVEN)}=${hex8(PARAMETERS.sieveLimit)}`,
      `r ${hex8(s.COLLATZN)}=${hex8(PARAMETERS.collatzLimit)}`,
      `r ${hex8(s.ROGUEN)}=${hex8(PARAMETERS.rogueSpins)}`,
      `r ${hex8(s.SLICE)}=00000000${hex8(PARAMETERS.sliceMicros * 4096)}`,
      'restart',
      'pause 3',
      'psw',
      `r ${hex8(s.NSVC)}.10`,
      `r ${hex8(s.EXTNEW)}.8`,
      `r ${hex8(s.TCBS)}.${tcbBytes.toString(16)}`,
      `r ${hex8(s.LOG)}.${(12 * 64).toString(16)}`,
    ].join('\n');
    // Hercules' pause is wall-clock time: the oracle retries with longer
    // pauses until the guest's disabled wait was printed before the displays.
    const herc = await runHerculesSettled({ script, pauses: [3, 8, 20] });
    expect(herc.timedOut).toBe(false);
    expect(herc.complete, herc.raw.slice(-3000)).toBe(true);
    expect(herc.disabledWaits.length).toBe(1);
    expect(herc.psws.at(-1)?.hex).toBe(ours.psw);

    const bytes = storageBytes(herc.storage);
    const u8 = (a: number) => {
      const b = bytes.get(a);
      if (b === undefined) throw new Error(`Hercules did not show ${hex8(a)}`);
      return b;
    };
    const u32 = (a: number) => ((u8(a) << 24) | (u8(a + 1) << 16) | (u8(a + 2) << 8) | u8(a + 3)) >>> 0;

    expect({ svc: u32(s.NSVC), program: u32(s.NPGM) }).toEqual({
      svc: ours.interruptions.svc,
      program: ours.interruptions.program,
    });
    expect(hex8(u32(s.EXTNEW)) + hex8(u32(s.EXTNEW + 4))).toBe(
      ours.checks.find((c) => c.name.startsWith('external new PSW'))?.expected,
    );
    ours.tasks.forEach((task, i) => {
      const tcb = s.TCBS + i * s.TCBLEN;
      expect(u8(tcb + s.TCBSTAT), task.name).toBe({ ready: 0, ended: 1, abended: 2 }[task.status]);
      expect(u32(tcb + s.TCBSVC), task.name).toBe(task.svcs);
      expect(
        [0, 1, 2, 3].map((k) => u32(tcb + s.TCBRES + 4 * k)),
        task.name,
      ).toEqual(task.results);
      if (task.abend) {
        expect(u32(tcb + s.TCBABEND) & 0xffff).toBe(task.abend.code);
        expect(hex8(u32(tcb + s.TCBABPSW)) + hex8(u32(tcb + s.TCBABPSW + 4))).toBe(task.abend.psw);
      }
    });
    const log = ours.log.map((_, i) => [
      u32(s.LOG + 12 * i),
      u32(s.LOG + 12 * i + 4),
      u32(s.LOG + 12 * i + 8),
    ]);
    expect(log).toEqual(ours.log.map((e) => [e.task, e.r0, e.r1]));
  });
});
