/**
 * CP commands a user issues at the terminal (or the guest through DIAGNOSE
 * X'08'), with responses in the style of VM/370 and z/VM:
 *
 * - QUERY NAMES, USERID, TIME, STORAGE, DASD, READER, NSS, VIRTUAL [STORAGE|DASD]
 * - DEFINE STORAGE, DEFINE READER|PUNCH|PRINTER vdev
 * - LINK, DETACH, ATTACH (class B) — devices come and go in the lowest free subchannel
 * - IPL vdev [STOP]|name, SYSTEM RESET|CLEAR, BEGIN, SAVESYS name (class E)
 * - SPOOL, CLOSE, PURGE, TRANSFER, MSG; DIAL (only before LOGON)
 * - LOGOFF (from the guest: done once the DIAGNOSE has completed)
 *
 * Abbreviations follow CP's minimum truncations (Q, DEF, LINK, DET, I, SYS,
 * B, SP, CL, PUR, TRANS, M, LOGO). Unknown commands answer HCPCMD001E with return
 * code 1, as CP does. Message numbers that are z/VM's are used as z/VM
 * uses them; the few CP conditions this system has and z/VM does not are
 * worded in the same style (see the README's limits).
 */
import type { ControlProgram } from './cp';
import type { AccessMode } from './directory/types';
import type { VirtualDevice } from './io/virtual-io';
import { queryNss } from './saved-systems';
import { cpCpuTime, cpDuration, cpTimestamp, simulatedSeconds } from './terminal/clock-text';
import type { VirtualMachine } from './vm/virtual-machine';

/** A CP command's result: the return code and the response lines. */
export interface CommandResult {
  rc: number;
  lines: string[];
}

/**
 * Where a command comes from. Which terminal each user is on is CP's to
 * answer (`cp.terminalOf`, `cp.connectedSince`, from the terminal side
 * registered with `cp.connectTerminals`), so a command answers the same at
 * CP READ, after `#CP` and from DIAGNOSE X'08'.
 */
export interface CommandContext {
  /**
   * 'terminal' (the default) or 'guest' (DIAGNOSE X'08'). From the guest,
   * DEFINE STORAGE is refused: it would replace the virtual machine whose
   * CPU is executing the DIAGNOSE.
   */
  readonly source?: 'terminal' | 'guest';
}

function matches(word: string | undefined, full: string, min: number): boolean {
  if (word === undefined) return false;
  const w = word.toUpperCase();
  return w.length >= min && w.length <= full.length && full.startsWith(w);
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

function size(bytes: number): string {
  if (bytes % (1024 * 1024 * 1024) === 0) return `${bytes / (1024 * 1024 * 1024)}G`;
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}M`;
  return `${bytes / 1024}K`;
}

function vdevOf(word: string | undefined): number | null {
  if (word === undefined || !/^[0-9A-F]{1,4}$/i.test(word)) return null;
  return Number.parseInt(word, 16);
}

/** `nnnK`, `nnM`, `nG` (CP's storage operand) to bytes, or null. */
function storageOperand(word: string): number | null {
  const m = /^(\d{1,10})([KMG])$/i.exec(word);
  if (m === null) return null;
  const unit =
    m[2]!.toUpperCase() === 'K' ? 1024 : m[2]!.toUpperCase() === 'M' ? 1024 * 1024 : 1024 * 1024 * 1024;
  return Number(m[1]) * unit;
}

/** CP's device-class name of a virtual device in responses (DASD 0191 DETACHED). */
function deviceClass(d: VirtualDevice): string {
  switch (d.kind) {
    case 'minidisk':
      return 'DASD';
    case 'console':
      return 'CONS';
    case 'reader':
      return 'RDR';
    case 'punch':
      return 'PUN';
    case 'printer':
      return 'PRT';
  }
}

const err = (code: string, msg: string, rc: number): CommandResult => ({ rc, lines: [`${code} ${msg}`] });
const ok = (lines: string[] = []): CommandResult => ({ rc: 0, lines });

/** Execute one CP command for `vm`'s user. */
export function executeCommand(
  cp: ControlProgram,
  vm: VirtualMachine,
  text: string,
  context: CommandContext = {},
): CommandResult {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const [cmd, ...args] = words;
  if (cmd === undefined) return ok();
  if (matches(cmd, 'QUERY', 1)) return query(cp, vm, args);
  if (matches(cmd, 'DEFINE', 3)) return define(cp, vm, args, context);
  if (matches(cmd, 'LINK', 4)) return link(cp, vm, args);
  if (matches(cmd, 'DETACH', 3)) return detach(cp, vm, args);
  if (matches(cmd, 'ATTACH', 3) && privileged(cp, vm, 'B')) return attach(cp, vm, args);
  if (matches(cmd, 'IPL', 1)) return ipl(cp, vm, args, context);
  if (matches(cmd, 'SYSTEM', 3)) return system(cp, vm, args, context);
  if (matches(cmd, 'BEGIN', 1)) return begin(cp, vm, args);
  if (matches(cmd, 'DEFSYS', 6) && privileged(cp, vm, 'E')) return defsys(cp, args);
  if (matches(cmd, 'SAVESYS', 7) && privileged(cp, vm, 'E')) return savesys(cp, vm, args);
  if (matches(cmd, 'DIAL', 1)) return err('HCPDIA009E', 'DIAL is valid only before LOGON', 9);
  if (matches(cmd, 'SPOOL', 2)) return spool(cp, vm, args);
  if (matches(cmd, 'CLOSE', 2)) return close(cp, vm, args);
  if (matches(cmd, 'PURGE', 3)) return purge(cp, vm, args);
  if (matches(cmd, 'TRANSFER', 5)) return transfer(cp, vm, args);
  if (matches(cmd, 'MESSAGE', 1) || matches(cmd, 'MSG', 3)) return message(cp, vm, args);
  if (matches(cmd, 'LOGOFF', 4) || matches(cmd, 'LOGOUT', 4)) return logoff(cp, vm, args, context);
  return err('HCPCMD001E', `Unknown CP command: ${cmd.toUpperCase()}`, 1);
}

/**
 * DIAL userid from a terminal that is not logged on: connect it to the
 * user's virtual machine as one of its dialable lines. The directory has
 * no dialable line devices (3270 or 2702 lines), so a logged-on user has
 * none to offer.
 */
export function dialCommand(cp: ControlProgram, args: readonly string[]): CommandResult {
  const userid = args[0]?.toUpperCase();
  if (userid === undefined || !/^[A-Z0-9@#$]{1,8}$/.test(userid))
    return err('HCPDIA020E', 'Userid missing or invalid', 20);
  if (args.length > 1) return err('HCPDIA003E', `Invalid option - ${args[1]!.toUpperCase()}`, 3);
  if (!cp.directory.users.has(userid)) return err('HCPDIA053E', `${userid} not in CP directory`, 53);
  if (cp.vm(userid) === undefined) return err('HCPDIA045E', `${userid} not logged on`, 45);
  return err('HCPDIA093E', `${userid} has no dialable lines available`, 93);
}

// ------------------------------------------------------------------ QUERY

function query(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  const what = args[0];
  if (what === undefined) return err('HCPCQV026E', 'Operand missing or invalid', 26);
  if (matches(what, 'NAMES', 1)) {
    const entries = cp.users().map((u) => `${u.padEnd(8)} - ${cp.terminalOf(u) ?? 'DSC'}`);
    const lines: string[] = [];
    for (let i = 0; i < entries.length; i += 4) lines.push(entries.slice(i, i + 4).join(' , '));
    return ok(lines);
  }
  if (matches(what, 'USERID', 6)) return ok([`${vm.userid} AT STRACHEY`]);
  if (matches(what, 'TIME', 1)) {
    const now = simulatedSeconds(cp);
    return ok([`TIME IS ${cpTimestamp(now)}`, connectLine(cp, vm)]);
  }
  if (matches(what, 'NSS', 3)) return ok(queryNss(cp.savedSystems));
  // Class G QUERY STORAGE and QUERY DASD answer about the user's own virtual machine.
  if (matches(what, 'STORAGE', 4)) return ok([`STORAGE = ${size(vm.storageSize)}`]);
  if (matches(what, 'DASD', 4)) return ok(virtualDevices(vm, 'dasd'));
  if (matches(what, 'VIRTUAL', 1)) {
    const sub = args[1];
    if (sub === undefined || matches(sub, 'ALL', 3))
      return ok([`STORAGE = ${size(vm.storageSize)}`, ...virtualDevices(vm, 'all')]);
    if (matches(sub, 'STORAGE', 3)) return ok([`STORAGE = ${size(vm.storageSize)}`]);
    if (matches(sub, 'DASD', 1)) return ok(virtualDevices(vm, 'dasd'));
    const n = vdevOf(sub);
    const s = n === null ? undefined : vm.io.byDevice(n);
    if (n !== null)
      return s === undefined
        ? err('HCPQVD040E', `Device ${hex(n)} does not exist`, 40)
        : ok(deviceLine(s.device, s.number));
    return err('HCPCQV026E', `Operand missing or invalid: ${sub.toUpperCase()}`, 26);
  }
  if (matches(what, 'READER', 1) || matches(what, 'RDR', 3)) {
    const files = cp.spool.reader(vm.userid);
    if (files.length === 0) return ok(['NO RDR FILES']);
    return ok([
      'ORIGINID FILE CLASS RECORDS  CPY HOLD',
      ...files.map(
        (f) =>
          `${f.origin.padEnd(8)} ${String(f.id).padStart(4, '0')} ${f.spoolClass} ${f.type === 'punch' ? 'PUN' : 'PRT'} ${String(f.records.length).padStart(8, '0')} 001 NONE`,
      ),
    ]);
  }
  return err('HCPCQV026E', `Operand missing or invalid: ${what.toUpperCase()}`, 26);
}

/**
 * `CONNECT= hh:mm:ss VIRTCPU= mmm:ss.hh TOTCPU= mmm:ss.hh` (QUERY TIME,
 * LOGOFF): connect time, the virtual machine's own CPU time and that plus
 * CP's work for it, all on the simulated clock.
 */
function connectLine(cp: ControlProgram, vm: VirtualMachine): string {
  const now = simulatedSeconds(cp);
  const mhz = cp.clock.cyclesPerMicrosecond;
  const virt = vm.counters.guestCycles / mhz / 1e6;
  const tot = (vm.counters.guestCycles + vm.counters.cpCycles) / mhz / 1e6;
  const since = Math.min(now, cp.connectedSince(vm.userid) ?? now);
  return `CONNECT= ${cpDuration(now - since)} VIRTCPU= ${cpCpuTime(virt)} TOTCPU= ${cpCpuTime(tot)}`;
}

function deviceLine(d: VirtualDevice, subchannel: number): string[] {
  const sch = `SUBCHANNEL = ${hex(subchannel)}`;
  switch (d.kind) {
    case 'minidisk':
      if (d.owner === ATTACHED)
        return [
          `DASD ${hex(d.vdev)} ON DASD ${hex(d.realDevice)} ${d.readOnly ? 'R/O' : 'R/W'} ${d.volser.padEnd(6)} ${sch}`,
        ];
      return [
        `DASD ${hex(d.vdev)} 3390 ${d.volser.padEnd(6)} ${d.readOnly ? 'R/O' : 'R/W'} ${String(d.cylinders).padStart(6)} CYL ON DASD ${hex(d.realDevice)} ${sch}`,
      ];
    case 'console':
      return [`CONS ${hex(d.vdev)} ON DEV 3215 ${sch}`];
    case 'reader':
      return [`RDR  ${hex(d.vdev)} CL ${d.spoolClass} NOCONT NOHOLD EOF ${sch}`];
    default:
      return [
        `${d.kind === 'punch' ? 'PUN ' : 'PRT '} ${hex(d.vdev)} CL ${d.target.spoolClass} NOCONT NOHOLD COPY 001 TO ${d.target.to === '*SYSTEM' ? 'SYSTEM' : d.target.to} ${sch}`,
      ];
  }
}

function virtualDevices(vm: VirtualMachine, which: 'all' | 'dasd'): string[] {
  const lines: string[] = [];
  for (const s of vm.io.subchannels)
    if (which === 'all' || s.device.kind === 'minidisk') lines.push(...deviceLine(s.device, s.number));
  return lines;
}

// ------------------------------------------------------------------ DEFINE

function define(
  cp: ControlProgram,
  vm: VirtualMachine,
  args: readonly string[],
  context: CommandContext,
): CommandResult {
  const what = args[0];
  if (what === undefined) return err('HCPCDF026E', 'Operand missing or invalid', 26);
  if (matches(what, 'STORAGE', 4)) {
    const operand = args[1];
    if (operand === undefined || args.length > 2) return err('HCPDST026E', 'Operand missing or invalid', 26);
    const bytes = storageOperand(operand);
    if (bytes === null) return err('HCPDST026E', `Operand missing or invalid: ${operand.toUpperCase()}`, 26);
    if (context.source === 'guest')
      return err(
        'HCPDST002E',
        'DEFINE STORAGE is not accepted from DIAGNOSE X’08’; enter it at the terminal',
        2,
      );
    const numbering = vm.io.subchannels.map((s) => ({ vdev: s.device.vdev, number: s.number }));
    const r = cp.defineStorage(vm.userid, bytes);
    if (!r.ok) return err(r.error.code, r.error.message, 1);
    // The devices keep their subchannel numbers, gaps included (the new VM numbered them 0, 1, …).
    r.vm.io.renumber(numbering);
    // DEFINE STORAGE built a new VM whose last two console lines are its answer.
    return ok(r.vm.consoleLines.slice(-2));
  }
  const kind =
    matches(what, 'READER', 3) || matches(what, 'RDR', 3)
      ? 'reader'
      : matches(what, 'PUNCH', 3)
        ? 'punch'
        : matches(what, 'PRINTER', 3)
          ? 'printer'
          : null;
  if (kind === null) return err('HCPCDF026E', `Operand missing or invalid: ${what.toUpperCase()}`, 26);
  const vdev = vdevOf(args[1]);
  if (vdev === null) return err('HCPCDF022E', 'Virtual device number missing or invalid', 22);
  if (args.length > 2) return err('HCPCDF026E', `Operand missing or invalid: ${args[2]!.toUpperCase()}`, 26);
  if (vm.io.byDevice(vdev) !== undefined) return err('HCPCDF006E', `Device ${hex(vdev)} already defined`, 6);
  const device: VirtualDevice =
    kind === 'reader'
      ? { kind: 'reader', vdev, devtype: 0x2540, spoolClass: '*', file: null, position: 0 }
      : {
          kind,
          vdev,
          devtype: kind === 'punch' ? 0x2540 : 0x1403,
          target: { to: '*SYSTEM', spoolClass: 'A' },
          records: [],
        };
  if (vm.io.attach(device) === null)
    return err('HCPCDF091E', `Device ${hex(vdev)} not defined; no free subchannel`, 91);
  return ok([`${deviceClass(device)} ${hex(vdev)} DEFINED`]);
}

// ------------------------------------------------------------------ LINK / DETACH

const MODES: ReadonlySet<string> = new Set<AccessMode>(['R', 'RR', 'W', 'WR', 'M', 'MR', 'MW']);

/**
 * `LINK [TO] userid vdev1 [AS] vdev2 [mode]`: the minidisk `vdev1` of
 * `userid` becomes this user's `vdev2` in the lowest free subchannel (mode
 * defaults to R). Access modes follow the directory: R/RR read-only; W/M
 * refused while someone else has the minidisk R/W; WR/MR fall back to R/O;
 * MW always write.
 */
function link(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  let i = 0;
  if (args[i]?.toUpperCase() === 'TO') i++;
  const owner = args[i++]?.toUpperCase();
  if (owner === undefined || !/^[A-Z0-9@#$]{1,8}$/.test(owner))
    return err('HCPLNM020E', 'Userid missing or invalid', 20);
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
  const realDevice = cp.volumeDevice(md.volser);
  if (realDevice === undefined)
    return err('HCPLNM108E', `${owner} ${hex(ownerVdev)} not linked; volid ${md.volser} not mounted`, 108);
  const lines: string[] = [];
  const { access, holder } = cp.linkAccess(owner, ownerVdev, mode as AccessMode, vm.userid);
  if (access === 'refused')
    return err('HCPLNM104E', `${owner} ${hex(ownerVdev)} not linked; R/W by ${holder}`, 104);
  if (access === 'forced-read') lines.push(`HCPLNM101W DASD ${hex(vdev)} forced R/O; R/W by ${holder}`);
  if (access === 'shared-write') lines.push(`HCPLNM102W DASD ${hex(vdev)} linked R/W; R/W by ${holder}`);
  const readOnly = access === 'read' || access === 'forced-read';
  const s = vm.io.attach({
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
  if (s === null) return err('HCPLNM091E', `Device ${hex(vdev)} not linked; no free subchannel`, 91);
  cp.deviceChanged(vm.userid, s.device, 'attached');
  return { rc: 0, lines };
}

/**
 * `DETACH vdev [vdev | vdev1-vdev2 …]`: remove virtual devices. Their I/O
 * is cleared (a running minidisk program is stopped, a console READ
 * dropped); their subchannel numbers become free (not operational to the
 * guest until a LINK or DEFINE takes them).
 */
function detach(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  if (args.length === 0) return err('HCPDTV022E', 'Virtual device number missing or invalid', 22);
  const vdevs: number[] = [];
  for (const a of args) {
    const range = /^([0-9A-F]{1,4})-([0-9A-F]{1,4})$/i.exec(a);
    if (range !== null) {
      const lo = Number.parseInt(range[1]!, 16);
      const hi = Number.parseInt(range[2]!, 16);
      if (hi < lo)
        return err('HCPDTV022E', `Virtual device number missing or invalid: ${a.toUpperCase()}`, 22);
      for (const s of vm.io.subchannels)
        if (s.device.vdev >= lo && s.device.vdev <= hi) vdevs.push(s.device.vdev);
      continue;
    }
    const n = vdevOf(a);
    if (n === null)
      return err('HCPDTV022E', `Virtual device number missing or invalid: ${a.toUpperCase()}`, 22);
    vdevs.push(n);
  }
  const lines: string[] = [];
  let rc = 0;
  for (const n of vdevs) {
    const s = vm.io.detach(n);
    if (s === undefined) {
      lines.push(`HCPDTV040E Device ${hex(n)} does not exist`);
      rc = 40;
    } else {
      cp.deviceChanged(vm.userid, s.device, 'detached');
      lines.push(`${deviceClass(s.device)} ${hex(n)} DETACHED`);
    }
  }
  return { rc, lines };
}

/** Does the user's directory entry give it privilege class `c`? (CP answers other classes' commands as unknown.) */
function privileged(cp: ControlProgram, vm: VirtualMachine, c: string): boolean {
  return cp.directory.users.get(vm.userid)?.privilegeClasses.includes(c) ?? false;
}

/** The `owner` of a real volume given whole to a user by ATTACH (its `ownerVdev` is the real device number). */
const ATTACHED = '*ATTACH';

/**
 * `ATTACH rdev [TO] userid|* [AS] vdev [R/O]` (privilege class B): give a
 * real DASD volume to a logged-on user as a dedicated device — the whole
 * volume, cylinder 0 up — in its lowest free subchannel. A volume that
 * holds minidisks is CP's and cannot be attached; a volume is attached to
 * one user at a time (DETACH gives it back).
 */
function attach(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  let i = 0;
  const rdev = vdevOf(args[i++]);
  if (rdev === null) return err('HCPATR021E', 'Real device number missing or invalid', 21);
  if (args[i]?.toUpperCase() === 'TO') i++;
  const who = args[i++]?.toUpperCase();
  if (who === undefined || (who !== '*' && !/^[A-Z0-9@#$]{1,8}$/.test(who)))
    return err('HCPATR020E', 'Userid missing or invalid', 20);
  if (args[i]?.toUpperCase() === 'AS') i++;
  const vdev = vdevOf(args[i++]);
  if (vdev === null) return err('HCPATR022E', 'Virtual device number missing or invalid', 22);
  const mode = args[i]?.toUpperCase();
  const readOnly = mode === 'R/O' || mode === 'RO';
  if (mode !== undefined && !readOnly) return err('HCPATR026E', `Operand missing or invalid: ${mode}`, 26);
  if (mode !== undefined) i++;
  if (i < args.length) return err('HCPATR026E', `Operand missing or invalid: ${args[i]!.toUpperCase()}`, 26);
  const userid = who === '*' ? vm.userid : who;
  const target = cp.vm(userid);
  if (target === undefined) return err('HCPATR045E', `${userid} not logged on`, 45);
  const volume = cp.realIo.volumes().find((v) => v.devnum === rdev);
  const dasd = cp.realIo.device(rdev);
  if (volume === undefined || dasd === undefined)
    return err('HCPATR040E', `Device ${hex(rdev)} does not exist`, 40);
  if ([...cp.minidisks.values()].some((m) => m.volser === volume.volser))
    return err('HCPATR122E', `DASD ${hex(rdev)} in use by CP; it holds minidisks`, 122);
  for (const u of cp.users()) {
    for (const s of cp.vm(u)?.io.subchannels ?? []) {
      if (s.device.kind === 'minidisk' && s.device.owner === ATTACHED && s.device.ownerVdev === rdev)
        return err('HCPATR124E', `DASD ${hex(rdev)} already attached to ${u}`, 124);
    }
  }
  if (target.io.byDevice(vdev) !== undefined)
    return err('HCPATR006E', `Device ${hex(vdev)} already defined`, 6);
  const s = target.io.attach({
    kind: 'minidisk',
    vdev,
    devtype: 0x3390,
    realDevice: rdev,
    volser: volume.volser,
    startCylinder: 0,
    cylinders: dasd.volume.geometry.cylinders,
    readOnly,
    owner: ATTACHED,
    ownerVdev: rdev,
  });
  if (s === null) return err('HCPATR091E', `DASD ${hex(rdev)} not attached; no free subchannel`, 91);
  cp.deviceChanged(target.userid, s.device, 'attached');
  return ok([`DASD ${hex(rdev)} ATTACHED TO ${userid} ${hex(vdev)}`]);
}

// ------------------------------------------------------------------ IPL / SYSTEM / BEGIN

/**
 * `IPL vdev [STOP] | name`: IPL from a minidisk, or a saved system by name;
 * `IPL CMS` with no CMS saved system IPLs the user's 190 (the CMS system
 * disk). STOP (a device IPL only, as on VM/370 and z/VM) leaves virtual CPU
 * 0 stopped at the IPL PSW once the IPL I/O has completed, before the
 * loaded system's first instruction: the operator can look, change
 * storage or SAVESYS, and BEGIN starts it.
 * No response on success: the guest's own output follows. From the guest
 * (CMS's `CP IPL CMS`) the IPL happens once the DIAGNOSE has completed
 * (`cp.afterDispatch`); a missing device or saved system is answered at
 * once, a later failure on the console.
 */
function ipl(
  cp: ControlProgram,
  vm: VirtualMachine,
  args: readonly string[],
  context: CommandContext,
): CommandResult {
  const target = args[0]?.toUpperCase();
  const stop = target !== undefined && vdevOf(target) !== null && args[1]?.toUpperCase() === 'STOP';
  const extra = args[stop ? 2 : 1];
  if (extra !== undefined) return err('HCPIPL003E', `Invalid option - ${extra.toUpperCase()}`, 3);
  const go = (): CommandResult => {
    if (target === undefined) {
      const r = cp.ipl(vm.userid);
      return r.ok ? ok() : err(r.error.code, r.error.message, 1);
    }
    const vdev = vdevOf(target);
    if (vdev !== null && stop) return iplStop(cp, vm, vdev);
    if (vdev !== null) {
      const r = cp.ipl(vm.userid, vdev);
      return r.ok ? ok() : err(r.error.code, r.error.message, 1);
    }
    const r = cp.iplSystem(vm.userid, target);
    if (r.ok) return ok();
    if (r.error.code === 'HCPNSS440E' && target === 'CMS' && vm.io.byDevice(0x190) !== undefined) {
      const d = cp.ipl(vm.userid, 0x190);
      return d.ok ? ok() : err(d.error.code, d.error.message, 1);
    }
    return err(r.error.code, r.error.message, 1);
  };
  if (context.source !== 'guest') return go();
  // From the guest (CMS's CP IPL CMS): what can be checked now is answered now; the IPL itself waits until
  // the DIAGNOSE has completed, or the DIAGNOSE's completion would land in the new system's PSW.
  const vdev = target === undefined ? null : vdevOf(target);
  if (vdev !== null) {
    const s = vm.io.byDevice(vdev);
    if (s === undefined) return err('HCPIPL040E', `Device ${hex(vdev)} does not exist`, 1);
    if (s.device.kind !== 'minidisk') return err('HCPIPL003E', `Device ${hex(vdev)} is not a DASD`, 1);
  } else if (
    target !== undefined &&
    cp.savedSystems.get(target) === undefined &&
    !(target === 'CMS' && vm.io.byDevice(0x190) !== undefined)
  )
    return err('HCPNSS440E', `Saved system ${target} was not found`, 1);
  cp.afterDispatch(vm.userid, () => {
    for (const l of go().lines) vm.consoleLine(l);
  });
  return ok();
}

/**
 * `IPL vdev STOP`: the IPL `cp.ipl` does (the pages of a saved system this
 * machine had are given back first), with virtual CPU 0 stopped when the
 * IPL I/O has loaded the IPL PSW — it has not executed an instruction.
 */
function iplStop(cp: ControlProgram, vm: VirtualMachine, vdev: number): CommandResult {
  cp.savedSystems.release(vm);
  const r = vm.ipl(vdev, (loaded) => {
    if (loaded) vm.cpus[0]!.state = 'stopped';
  });
  return r.ok ? ok() : err(r.message.slice(0, 10), r.message.slice(11), 1);
}

/**
 * `SYSTEM RESET | CLEAR`: a system reset of the virtual machine — every
 * virtual CPU gets an initial CPU reset and stops, every virtual subchannel
 * an I/O-system reset (its I/O abandoned, interruptions forgotten, not
 * enabled); CLEAR also zeroes its storage — after unmapping the pages of
 * a saved system it IPLed, which are every other user's too (zeroing them
 * in place would give this user private copies of them). From the guest
 * (DIAGNOSE X'08') it happens once the DIAGNOSE has completed
 * (`cp.afterDispatch`).
 */
function system(
  cp: ControlProgram,
  vm: VirtualMachine,
  args: readonly string[],
  context: CommandContext,
): CommandResult {
  const what = args[0];
  const clear = matches(what, 'CLEAR', 5);
  if (what === undefined || (!clear && !matches(what, 'RESET', 1)) || args.length > 1) {
    return err(
      'HCPCSY026E',
      `Operand missing or invalid${what === undefined ? '' : `: ${what.toUpperCase()}`}`,
      26,
    );
  }
  const reset = (): void => {
    for (const c of vm.cpus) {
      c.reset(true);
      c.state = 'stopped';
      c.blocked = false;
    }
    vm.io.reset(false);
    if (clear) {
      cp.savedSystems.release(vm);
      const zero = new Uint8Array(4096);
      for (let a = 0; a < vm.storageSize; a += 4096)
        vm.storage.writeBytes(a, zero.subarray(0, Math.min(4096, vm.storageSize - a)));
    }
  };
  // From the guest the reset waits until its DIAGNOSE has completed (which would otherwise store into the reset CPU).
  if (context.source === 'guest') cp.afterDispatch(vm.userid, reset);
  else reset();
  return ok([clear ? 'Storage cleared - system reset.' : 'System reset.']);
}

/** `BEGIN`: resume the stopped virtual CPUs where they stopped. */
function begin(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  if (args.length > 0) return err('HCPCFB026E', `Operand missing or invalid: ${args[0]!.toUpperCase()}`, 26);
  const c = vm.cpus[0]!;
  if (c.state === 'stopped' && c.getPsw()[1] === 0 && vm.counters.instructions === 0)
    return err('HCPCFB010E', 'No IPL has been done', 10);
  cp.begin(vm.userid);
  return ok();
}

// ------------------------------------------------------------------ DEFSYS / SAVESYS

/**
 * `DEFSYS name pages type [pages type …]` (class E): define the saved
 * system `name` — which guest pages (hexadecimal page numbers, `p` or
 * `p1-p2`) SAVESYS captures and how users get them: SR shared read-only
 * (the same host frames for everybody, copied on a store), EW/ER a
 * private copy per user. The pages must follow one another and the SR
 * pages must be one run (src/saved-systems.ts keeps one shared range);
 * z/VM's SW/SN/SC/EN types and MINSIZE/MACHMODE are not offered.
 */
function defsys(cp: ControlProgram, args: readonly string[]): CommandResult {
  const name = args[0]?.toUpperCase();
  if (name === undefined) return err('HCPNSS026E', 'Operand missing or invalid', 26);
  if (args.length < 3 || args.length % 2 === 0)
    return err('HCPNSS026E', 'Operand missing or invalid: give page ranges with their types', 26);
  const ranges: { from: number; to: number; shared: boolean }[] = [];
  for (let i = 1; i < args.length; i += 2) {
    const m = /^([0-9A-F]{1,5})(?:-([0-9A-F]{1,5}))?$/i.exec(args[i]!);
    const type = args[i + 1]!.toUpperCase();
    if (m === null) return err('HCPNSS026E', `Operand missing or invalid: ${args[i]!.toUpperCase()}`, 26);
    if (!['SR', 'EW', 'ER'].includes(type))
      return err('HCPNSS026E', `Operand missing or invalid: ${type} (page types here: SR, EW, ER)`, 26);
    const from = Number.parseInt(m[1]!, 16);
    const to = m[2] === undefined ? from : Number.parseInt(m[2], 16);
    if (to < from) return err('HCPNSS026E', `Operand missing or invalid: ${args[i]!.toUpperCase()}`, 26);
    ranges.push({ from, to, shared: type === 'SR' });
  }
  ranges.sort((a, b) => a.from - b.from);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i]!.from !== ranges[i - 1]!.to + 1)
      return err('HCPNSS026E', 'Operand missing or invalid: the page ranges must follow one another', 26);
  const shared = ranges.filter((r) => r.shared);
  for (let i = 1; i < shared.length; i++)
    if (shared[i]!.from !== shared[i - 1]!.to + 1)
      return err('HCPNSS026E', 'Operand missing or invalid: the SR pages must be one run', 26);
  const r = cp.savedSystems.defineSkeleton({
    name,
    firstPage: ranges[0]!.from,
    lastPage: ranges.at(-1)!.to,
    shared: shared.length === 0 ? null : { from: shared[0]!.from, to: shared.at(-1)!.to },
  });
  return r.ok ? ok() : err(r.error.code, r.error.message, 1);
}

/**
 * `SAVESYS name` (class E): capture this virtual machine's pages as the
 * DEFSYS skeleton `name` says, and virtual CPU 0's PSW, where `IPL name`
 * resumes. As on VM/370 the system is IPLed, stopped where it should start
 * next time (attention, CP READ) and saved, so every virtual CPU must be
 * stopped — which also refuses it from DIAGNOSE X'08'.
 */
function savesys(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  const name = args[0]?.toUpperCase();
  if (name === undefined || args.length > 1)
    return err(
      'HCPNSS026E',
      `Operand missing or invalid${args.length > 1 ? `: ${args[1]!.toUpperCase()}` : ''}`,
      26,
    );
  if (vm.cpus.some((c) => c.state !== 'stopped'))
    return err(
      'HCPNSS446E',
      `${vm.userid} is not stopped; stop it (attention key, CP READ) before SAVESYS`,
      446,
    );
  const r = cp.savedSystems.saveSkeleton(vm, name);
  if (!r.ok) return err(r.error.code, r.error.message, 1);
  return ok([
    `HCPNSS440I Named Saved System (NSS) ${r.system.name} was successfully saved in fileid ${String(r.fileid).padStart(4, '0')}.`,
  ]);
}

// ------------------------------------------------------------------ spool

/** The spool device a SPOOL/CLOSE operand names: PUNCH, PRINTER, READER or a device number. */
function spoolDevice(vm: VirtualMachine, which: string) {
  return vm.io.subchannels.find((x) => {
    const d = x.device;
    if (matches(which, 'PUNCH', 2)) return d.kind === 'punch';
    if (matches(which, 'PRINTER', 2)) return d.kind === 'printer';
    if (matches(which, 'READER', 1)) return d.kind === 'reader';
    return /^[0-9A-F]{1,4}$/i.test(which) && d.vdev === Number.parseInt(which, 16);
  });
}

function spool(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  // SPOOL vdev|PUNCH|PRINTER|READER [TO userid|SYSTEM|*] [CLASS c]
  const which = args[0];
  if (which === undefined) return err('HCPCSP026E', 'Operand missing or invalid', 26);
  const s = spoolDevice(vm, which);
  if (s === undefined) return err('HCPCSP040E', `Device ${which.toUpperCase()} does not exist`, 40);
  const d = s.device;
  if (d.kind !== 'punch' && d.kind !== 'printer' && d.kind !== 'reader')
    return err('HCPCSP026E', `Device ${hex(d.vdev)} is not a spool device`, 26);
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (matches(a, 'TO', 2)) {
      const to = args[++i]?.toUpperCase();
      if (to === undefined) return err('HCPCSP026E', 'Operand missing or invalid', 26);
      if (d.kind === 'reader') return err('HCPCSP026E', 'TO applies to a punch or printer', 26);
      if (to !== 'SYSTEM' && to !== '*' && !cp.directory.users.has(to))
        return err('HCPCSP053E', `${to} not in CP directory`, 53);
      d.target.to = to === 'SYSTEM' ? '*SYSTEM' : to === '*' ? vm.userid : to;
    } else if (matches(a, 'CLASS', 2)) {
      const c = args[++i]?.toUpperCase();
      if (c === undefined || !/^[A-Z0-9*]$/.test(c))
        return err('HCPCSP026E', 'Operand missing or invalid', 26);
      if (d.kind === 'reader') d.spoolClass = c;
      else d.target.spoolClass = c;
    } else return err('HCPCSP026E', `Operand missing or invalid: ${a.toUpperCase()}`, 26);
  }
  return ok();
}

function close(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  const which = args[0];
  const s = which === undefined ? undefined : spoolDevice(vm, which);
  if (s === undefined) return err('HCPCLS040E', `Device ${(which ?? '').toUpperCase()} does not exist`, 40);
  const d = s.device;
  if (d.kind === 'punch' || d.kind === 'printer') {
    if (d.records.length === 0) return ok();
    const f = cp.spool.create(vm.userid, d.kind, d.target.spoolClass, d.records.splice(0), d.target.to);
    const id = String(f.id).padStart(4, '0');
    const recs = String(f.records.length).padStart(4, '0');
    const target = f.queue === '*SYSTEM' ? undefined : cp.vm(f.queue);
    target?.consoleLine(
      `RDR FILE ${id} SENT FROM ${vm.userid} ${d.kind === 'punch' ? 'PUN' : 'PRT'} WAS ${id} RECS ${recs}`,
    );
    return ok([
      `${d.kind === 'punch' ? 'PUN' : 'PRT'} FILE ${id} ${f.queue === '*SYSTEM' ? 'TO SYSTEM' : `SENT TO ${f.queue}`} CLASS ${f.spoolClass} RECS ${recs}`,
    ]);
  }
  if (d.kind === 'reader') {
    d.file = null;
    d.position = 0;
    return ok();
  }
  return err('HCPCLS040E', `Device ${hex(d.vdev)} is not a spool device`, 40);
}

function purge(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  if (!matches(args[0], 'READER', 1) && !matches(args[0], 'RDR', 3))
    return err('HCPCPU026E', 'Operand missing or invalid', 26);
  const target = args[1]?.toUpperCase();
  if (target === undefined) return err('HCPCPU026E', 'Operand missing or invalid', 26);
  const id = target === 'ALL' ? 'ALL' : /^\d{1,4}$/.test(target) ? Number(target) : Number.NaN;
  if (id !== 'ALL' && !Number.isInteger(id))
    return err('HCPCPU026E', `Operand missing or invalid: ${target}`, 26);
  const n = cp.spool.purge(vm.userid, id);
  if (n === 0 && id !== 'ALL') return err('HCPCPU042E', `Spoolid ${target} does not exist`, 42);
  return ok([`${String(n).padStart(4, '0')} FILE${n === 1 ? '' : 'S'} PURGED`]);
}

function transfer(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  // TRANSFER [READER] spoolid TO userid
  let i = 0;
  if (matches(args[0], 'READER', 1) || matches(args[0], 'RDR', 3)) i = 1;
  const idWord = args[i];
  const id = idWord !== undefined && /^\d{1,4}$/.test(idWord) ? Number(idWord) : Number.NaN;
  const to = matches(args[i + 1], 'TO', 2) ? args[i + 2]?.toUpperCase() : undefined;
  if (!Number.isInteger(id) || to === undefined || args.length > i + 3)
    return err('HCPCTR026E', 'Operand missing or invalid', 26);
  if (!cp.directory.users.has(to)) return err('HCPCTR053E', `${to} not in CP directory`, 53);
  if (!cp.spool.transfer(id, vm.userid, to)) return err('HCPCTR042E', `Spoolid ${idWord} does not exist`, 42);
  const file = String(id).padStart(4, '0');
  cp.vm(to)?.consoleLine(`RDR FILE ${file} TRANSFERRED FROM ${vm.userid}`);
  return ok([`RDR FILE ${file} TRANSFERRED TO ${to}`]);
}

function message(cp: ControlProgram, vm: VirtualMachine, args: readonly string[]): CommandResult {
  const to = args[0]?.toUpperCase();
  if (to === undefined) return err('HCPMSG026E', 'Operand missing or invalid', 26);
  const target = cp.vm(to);
  if (target === undefined) return err('HCPMSG045E', `${to} not logged on`, 45);
  // A disconnected user has no terminal to show the message on (with no terminal side, nobody can tell).
  if (cp.terminalOf(to) === null) return err('HCPMSG057I', `${to} not receiving; disconnected`, 57);
  target.consoleLine(`MSG FROM ${vm.userid}: ${args.slice(1).join(' ')}`);
  return ok();
}

/**
 * `LOGOFF [HOLD | QUICKLY]`: end the session; the virtual machine is
 * destroyed (storage scrubbed, links dropped; spool files stay). At a
 * terminal it happens at once and the response is the session's last
 * lines. From the guest (DIAGNOSE X'08', as CMS's `CP LOGOFF`) the lines go
 * to the console, the virtual CPUs stop, and CP destroys the machine when
 * the dispatcher has its CPU back, after the DIAGNOSE completed
 * (`cp.logoffAfterDispatch`).
 */
function logoff(
  cp: ControlProgram,
  vm: VirtualMachine,
  args: readonly string[],
  context: CommandContext,
): CommandResult {
  for (const a of args)
    if (!matches(a, 'HOLD', 4) && !matches(a, 'QUICKLY', 1))
      return err('HCPLGF026E', `Operand missing or invalid: ${a.toUpperCase()}`, 26);
  const lines = [connectLine(cp, vm), `LOGOFF AT ${cpTimestamp(simulatedSeconds(cp))}`];
  if (context.source === 'guest') {
    for (const l of lines) vm.consoleLine(l);
    cp.logoffAfterDispatch(vm.userid);
    return ok();
  }
  cp.logoff(vm.userid);
  return ok(lines);
}
