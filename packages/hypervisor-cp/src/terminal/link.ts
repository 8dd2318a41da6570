/**
 * LINK and DETACH while logged on: give a running virtual machine another
 * user's minidisk (or take one of its devices away), the terminal
 * counterparts of the directory's LINK statement. Access modes follow the
 * directory: R/RR read-only; W/M refused while someone else has the minidisk
 * R/W; WR/MR fall back to R/O; MW always write.
 */
import type { ControlProgram } from '../cp';
import type { CommandResult } from '../commands';
import { VirtualSubchannel } from '../io/virtual-io';
import type { VirtualMachine } from '../vm/virtual-machine';

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
const err = (code: string, message: string, rc: number): CommandResult => ({ rc, lines: [`${code} ${message}`] });
const MODES = new Set(['R', 'RR', 'W', 'WR', 'M', 'MR', 'MW']);

function vdevOf(word: string | undefined): number | null {
  if (word === undefined || !/^[0-9A-F]{1,4}$/i.test(word)) return null;
  return Number.parseInt(word, 16);
}

/** Who holds minidisk `owner vdev` R/W among the logged-on users (other than `except`). */
function writer(cp: ControlProgram, owner: string, ownerVdev: number, except: string): string | null {
  for (const u of cp.users()) {
    if (u === except) continue;
    const vm = cp.vm(u);
    if (vm === undefined) continue;
    for (const s of vm.io.subchannels) {
      const d = s.device;
      if (d.kind === 'minidisk' && !d.readOnly && d.owner === owner && d.ownerVdev === ownerVdev) return u;
    }
  }
  return null;
}

/**
 * `LINK [TO] userid vdev1 [AS] vdev2 [mode]`: the minidisk `vdev1` of
 * `userid` becomes this user's `vdev2` (mode defaults to R). The new device
 * takes the subchannel number a DETACH freed: CP's per-subchannel work area
 * was sized at LOGON, so a VM has at most as many devices as it had then.
 */
export function linkCommand(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  let i = 0;
  if (args[i]?.toUpperCase() === 'TO') i++;
  const owner = args[i++]?.toUpperCase();
  if (owner === undefined || !/^[A-Z0-9@#$]{1,8}$/.test(owner)) return err('HCPLNM020E', 'Userid missing or invalid', 20);
  const ownerVdev = vdevOf(args[i++]);
  if (ownerVdev === null) return err('HCPLNM022E', 'Virtual device number missing or invalid', 22);
  if (args[i]?.toUpperCase() === 'AS') i++;
  const vdev = vdevOf(args[i++]);
  if (vdev === null) return err('HCPLNM022E', 'Virtual device number missing or invalid', 22);
  const mode = (args[i++] ?? 'R').toUpperCase();
  if (!MODES.has(mode)) return err('HCPLNM026E', `Operand missing or invalid: ${mode}`, 26);
  if (i < args.length) return err('HCPLNM026E', `Operand missing or invalid: ${args[i]!.toUpperCase()}`, 26);
  if (!cp.directory.users.has(owner)) return err('HCPLNM053E', `${owner} not in CP directory`, 53);
  const md = cp.minidisks.get(`${owner} ${ownerVdev}`);
  if (md === undefined) return err('HCPLNM040E', `Device ${hex(ownerVdev)} does not exist`, 40);
  if (vm.io.byDevice(vdev) !== undefined) return err('HCPLNM006E', `Device ${hex(vdev)} already defined`, 6);
  // Subchannel numbers index the VM's subchannel array, and only numbers below the LOGON count have a CP work area.
  const free = vm.io.subchannels.length;
  if (free >= maxSubchannels(vm)) return err('HCPLNM091E', `Device ${hex(vdev)} not linked; no free subchannel (DETACH a device first)`, 91);
  const lines: string[] = [];
  let readOnly = mode === 'R' || mode === 'RR';
  const holder = readOnly ? null : writer(cp, owner, ownerVdev, vm.userid);
  if (holder !== null) {
    if (mode === 'W' || mode === 'M') return err('HCPLNM104E', `${owner} ${hex(ownerVdev)} not linked; R/W by ${holder}`, 104);
    if (mode !== 'MW') {
      readOnly = true;
      lines.push(`HCPLNM101W DASD ${hex(vdev)} forced R/O; R/W by ${holder}`);
    }
  }
  const realDevice = realDeviceOf(cp, md.volser);
  if (realDevice < 0) return err('HCPLNM108E', `${owner} ${hex(ownerVdev)} not linked; volid ${md.volser} not mounted`, 108);
  const s = new VirtualSubchannel(free, {
    kind: 'minidisk',
    vdev,
    devtype: 0x3390,
    realDevice,
    volser: md.volser,
    startCylinder: md.startCylinder,
    cylinders: md.cylinders,
    readOnly,
    owner,
    ownerVdev,
  });
  vm.io.subchannels.push(s);
  if (!readOnly) {
    const other = writer(cp, owner, ownerVdev, vm.userid);
    if (other !== null && mode === 'MW') lines.push(`HCPLNM102W DASD ${hex(vdev)} linked R/W; R/W by ${other}`);
  }
  return { rc: 0, lines };
}

const logonCounts = new WeakMap<VirtualMachine, number>();

/** The number of subchannels a VM had when first seen (its LOGON device count). */
function maxSubchannels(vm: VirtualMachine): number {
  let n = logonCounts.get(vm);
  if (n === undefined) {
    n = Math.max(vm.io.subchannels.length, ...vm.io.subchannels.map((s) => s.number + 1));
    logonCounts.set(vm, n);
  }
  return n;
}

/**
 * The real device number of a mounted volume: the one a logged-on user's
 * minidisk on that volume already uses (CP assigns one per volume at startup).
 */
function realDeviceOf(cp: ControlProgram, volser: string): number {
  for (const u of cp.users()) {
    for (const s of cp.vm(u)?.io.subchannels ?? []) {
      if (s.device.kind === 'minidisk' && s.device.volser === volser && s.device.realDevice >= 0) return s.device.realDevice;
    }
  }
  return -1;
}

/**
 * `DETACH vdev`: remove a virtual device (refused while its I/O is in
 * flight). The guest addresses subchannels by number and the numbers index
 * the VM's subchannel array, so only the highest-numbered device can go
 * without renumbering the others; detaching another one is refused.
 */
export function detachCommand(vm: VirtualMachine, args: readonly string[]): CommandResult {
  const vdev = vdevOf(args[0]);
  if (vdev === null || args.length > 1) return err('HCPDTV022E', 'Virtual device number missing or invalid', 22);
  maxSubchannels(vm);
  const s = vm.io.byDevice(vdev);
  if (s === undefined) return err('HCPDTV040E', `Device ${hex(vdev)} does not exist`, 40);
  if (s.busy || s.statusPending) return err('HCPDTV143E', `Device ${hex(vdev)} is busy`, 143);
  if (s.number !== vm.io.subchannels.length - 1) return err('HCPDTV144E', `Device ${hex(vdev)} not detached; only the last device (${hex(vm.io.subchannels[vm.io.subchannels.length - 1]!.device.vdev)}) can be detached here`, 144);
  vm.io.subchannels.pop();
  const kind = s.device.kind === 'minidisk' ? 'DASD' : s.device.kind === 'console' ? 'CONS' : s.device.kind === 'reader' ? 'RDR' : s.device.kind === 'punch' ? 'PUN' : 'PRT';
  return { rc: 0, lines: [`${kind} ${hex(vdev)} DETACHED`] };
}

/** Record a VM's LOGON device count before anything is detached. */
export function rememberLogonDevices(vm: VirtualMachine): void {
  maxSubchannels(vm);
}
