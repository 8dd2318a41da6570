/**
 * DIAGNOSE (X'83') as CP's hypercall interface. The function code is the
 * effective address of the second operand (Hercules `diagnose.c`; VM/ESA CP
 * Programming Services, "DIAGNOSE Instructions in a Virtual Machine").
 * Bad parameters are architected program interruptions reflected to the
 * guest (specification, addressing, protection), never host errors.
 *
 * - X'008' virtual console function: issue a CP command. Rx = command
 *   address, Ry bits 8-31 = length (0-240), Ry bits 0-7 flags; flag X'40'
 *   returns the response in the buffer at R(x+1), length R(y+1) (Rx, Ry and
 *   their successors must not overlap, none may be R15). Ry ← return code;
 *   with a buffer R(y+1) ← response length, cc 0, or cc 1 and R(y+1) ← the
 *   bytes that did not fit.
 * - X'018' standard DASD I/O: Rx = virtual device number, Ry = address of a
 *   format-0 channel program; the virtual CPU waits until it completes.
 *   R15 ← 0 ok, 1 device not attached, 2 not a DASD, 5 CCW address not on a
 *   doubleword, 13 unit check (sense available through a SENSE CCW); cc 0 ok,
 *   1 busy, 2 unit exception, 3 error.
 * - X'044' voluntary time-slice end: the virtual CPU yields.
 * - X'060' virtual storage size: Rx ← bytes.
 * Any other code: specification exception (Hercules' reply to an unknown code).
 */
import { DS_UNIT_CHECK, DS_UNIT_EXCEPTION, fromEbcdic, toEbcdic } from '@strachey/io-channel';
import { PGM } from '@strachey/isa-core';
import type { VirtualCpu } from './virtual-cpu';
import type { VirtualMachine } from './virtual-machine';

/** Longest CP command a guest may pass (VM/SP's limit). */
const MAX_COMMAND = 240;

/** Run DIAGNOSE `code`; returns true when the PSW was replaced (never here: the caller advances it). */
export function diagnose(vm: VirtualMachine, v: VirtualCpu, rx: number, ry: number, code: number): boolean {
  const gpr = v.cpu.gpr;
  switch (code) {
    case 0x008: {
      const flags = (gpr[ry]! >>> 24) & 0xff;
      const length = gpr[ry]! & 0xffffff;
      const response = (flags & 0x40) !== 0;
      if (response && (rx === 15 || ry === 15 || rx + 1 === ry || ry + 1 === rx || rx === ry || rx === 14 || ry === 14)) vm.check(PGM.SPECIFICATION);
      if (length > MAX_COMMAND) vm.check(PGM.SPECIFICATION);
      const text = new Uint8Array(length);
      const r = vm.copyIn(v, gpr[rx]! & v.amask, text);
      if (r < 0) vm.check(-r);
      if (length === 0) {
        // "Enter CP mode": there is no terminal to talk to; the call returns at once.
        gpr[ry] = 0;
        v.cpu.cc = 0;
        return false;
      }
      const result = vm.host.command(vm, fromEbcdic(text).trim());
      if (!response) {
        for (const line of result.lines) vm.consoleLine(line);
        gpr[ry] = result.rc;
        v.cpu.cc = 0;
        return false;
      }
      const bytes = toEbcdic(result.lines.join('\n'));
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x25) bytes[i] = 0x15;
      const room = gpr[ry + 1]! >>> 0;
      const n = Math.min(room, bytes.length);
      const w = vm.copyOut(v, gpr[rx + 1]! & v.amask, bytes.subarray(0, n));
      if (w < 0) vm.check(-w);
      gpr[ry] = result.rc;
      if (bytes.length > room) {
        gpr[ry + 1] = bytes.length - room;
        v.cpu.cc = 1;
      } else {
        gpr[ry + 1] = bytes.length;
        v.cpu.cc = 0;
      }
      return false;
    }
    case 0x018: {
      const s = vm.io.byDevice(gpr[rx]! & 0xffff);
      const ccw = gpr[ry]! & 0x00ffffff;
      if (s === undefined) return result18(v, 3, 1);
      if (s.device.kind !== 'minidisk') return result18(v, 3, 2);
      if ((ccw & 7) !== 0) return result18(v, 3, 5);
      if (!vm.storage.inside(ccw, 8)) vm.check(PGM.ADDRESSING);
      if (s.busy || s.statusPending) return result18(v, 1, 0);
      v.blocked = true;
      vm.io.startSynchronous(s, ccw, (scsw) => {
        v.blocked = false;
        vm.io.onPending();
        if ((scsw.deviceStatus & DS_UNIT_CHECK) !== 0 || scsw.subchannelStatus !== 0) result18(v, 3, 13);
        else if ((scsw.deviceStatus & DS_UNIT_EXCEPTION) !== 0) result18(v, 2, 0);
        else result18(v, 0, 0);
      });
      return false;
    }
    case 0x044:
      vm.yieldRequested = true;
      return false;
    case 0x060:
      gpr[rx] = vm.storage.size | 0;
      return false;
    default:
      vm.check(PGM.SPECIFICATION);
  }
}

function result18(v: VirtualCpu, cc: number, r15: number): false {
  v.cpu.cc = cc;
  v.cpu.gpr[15] = r15;
  return false;
}

