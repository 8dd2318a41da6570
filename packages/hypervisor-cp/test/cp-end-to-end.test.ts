import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbsoluteAddress } from '@strachey/isa-core';
import { CkdVolume, Console3215, Dasd3390, createChannelMachine, geometry3390 } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { createCp } from '../src/index';
import { assembleGuest, demoVolume, loadBare, placeMinidisk } from './helpers';

const DASDCON = readFileSync(join(__dirname, '../guests/dasd-to-console.asm'), 'utf8');

describe('an unmodified bare-metal program under CP (trap-and-emulate)', () => {
  it('DASDCON prints the same lines bare and in a virtual machine with a relocated minidisk', () => {
    const guest = assembleGuest(DASDCON);
    // Bare metal: the program owns a 10-cylinder 3390 at 0190 and a 3215 at 0009.
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    const con = new Console3215();
    channels.attach(0x0009, con);
    channels.attach(0x0190, new Dasd3390(demoVolume()));
    loadBare(machine.storage, guest.chunks);
    machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, guest.entry >>> 8, guest.entry & 0xff]));
    machine.restart(0);
    expect(machine.run(50_000_000).reason).toBe('halted');
    const bareLines = con.lines.map((l) => l.trimEnd());
    const barePsw = machine.cpus[0]!.getPsw();

    // Under CP: the same 10 cylinders are a minidisk at cylinder 211 of a real 3390-1.
    const real = new CkdVolume(geometry3390(1113));
    placeMinidisk(real, 211, demoVolume());
    const cp = createCp({
      directory: 'USER DEMO DEMO 1M 4M G\n CONSOLE 009 3215\n MDISK 190 3390 211 10 VMUSR1 MR\n',
      volumes: [{ volser: 'VMUSR1', volume: real }],
    });
    if (!cp.ok) throw new Error(cp.errors.map((e) => e.message).join('\n'));
    const logon = cp.cp.logon('DEMO', 'DEMO');
    if (!logon.ok) throw new Error(logon.error.message);
    const vm = logon.vm;
    for (const c of guest.chunks) vm.load(c.address, c.bytes);
    vm.start(0x00080000, (0x80000000 | guest.entry) >>> 0);
    const r = cp.cp.run(200_000_000);
    expect(r.reason).toBe('idle');
    expect(vm.consoleLines.map((l) => l.trimEnd())).toEqual(bareLines);
    expect(vm.cpus[0]!.getPsw()).toEqual(barePsw);
    expect(vm.runState()).toBe('disabled-wait');
    // What CP had to do: every privileged instruction trapped and was emulated.
    const c = vm.counters;
    expect(c.emulated.SSCH).toBe(4);
    expect(c.emulated.LPSW).toBeGreaterThanOrEqual(5);
    expect(c.emulated.LCTL).toBe(1);
    expect(c.ioDelivered).toBe(4);
    expect(c.io['real-start']).toBe(2);
    expect(c.io['ccw-translated']).toBe(10);
  });
});
