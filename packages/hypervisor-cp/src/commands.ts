/**
 * CP commands a user (or the guest through DIAGNOSE X'08') can issue, with
 * responses in the style of VM/370 and z/VM: QUERY (NAMES, USERID, TIME,
 * VIRTUAL STORAGE, VIRTUAL DASD, READER), SPOOL, CLOSE, PURGE, TRANSFER, MSG.
 * Abbreviations follow CP's minimum truncations (Q, SP, CL, PUR, TRANS, M).
 * Unknown commands answer HCPCMD001E with return code 1, as CP does.
 */
import type { ControlProgram } from './cp';
import type { VirtualMachine } from './vm/virtual-machine';

/** A CP command's result: the return code and the response lines. */
export interface CommandResult {
  rc: number;
  lines: string[];
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

/** Execute one CP command for `vm`'s user. */
export function executeCommand(cp: ControlProgram, vm: VirtualMachine, text: string): CommandResult {
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  const [cmd, ...args] = words;
  if (cmd === undefined) return { rc: 0, lines: [] };
  const err = (code: string, msg: string, rc: number): CommandResult => ({ rc, lines: [`${code} ${msg}`] });
  if (matches(cmd, 'QUERY', 1)) {
    const what = args[0];
    if (what === undefined) return err('HCPCQV026E', 'Operand missing or invalid', 26);
    if (matches(what, 'NAMES', 1)) {
      const users = cp.users();
      return { rc: 0, lines: [users.map((u) => `${u.padEnd(8)} - DSC`).join(' , ')] };
    }
    if (matches(what, 'USERID', 6)) return { rc: 0, lines: [`${vm.userid} AT STRACHEY`] };
    if (matches(what, 'TIME', 1)) {
      const us = cp.clock.now() / cp.clock.cyclesPerMicrosecond;
      const secs = Math.floor(us / 1e6);
      const hh = String(Math.floor(secs / 3600) % 24).padStart(2, '0');
      const mm = String(Math.floor(secs / 60) % 60).padStart(2, '0');
      const ss = String(secs % 60).padStart(2, '0');
      return { rc: 0, lines: [`TIME IS ${hh}:${mm}:${ss} UTC`, `CONNECT= 00:00:00 VIRTCPU= ${(vm.counters.guestCycles / cp.clock.cyclesPerMicrosecond / 1e6).toFixed(2)} SEC`] };
    }
    if (matches(what, 'VIRTUAL', 1)) {
      const sub = args[1];
      if (matches(sub, 'STORAGE', 3)) return { rc: 0, lines: [`STORAGE = ${size(vm.storageSize)}`] };
      const lines: string[] = [];
      const dasdOnly = matches(sub, 'DASD', 1);
      for (const s of vm.io.subchannels) {
        const d = s.device;
        if (d.kind === 'minidisk') {
          lines.push(`DASD ${hex(d.vdev)} 3390 ${d.volser.padEnd(6)} ${d.readOnly ? 'R/O' : 'R/W'} ${String(d.cylinders).padStart(6)} CYL ON DASD ${hex(d.realDevice)} SUBCHANNEL = ${hex(s.number)}`);
        } else if (!dasdOnly) {
          if (d.kind === 'console') lines.push(`CONS ${hex(d.vdev)} ON DEV 3215 SUBCHANNEL = ${hex(s.number)}`);
          else if (d.kind === 'reader') lines.push(`RDR  ${hex(d.vdev)} CL ${d.spoolClass} NOCONT NOHOLD EOF SUBCHANNEL = ${hex(s.number)}`);
          else lines.push(`${d.kind === 'punch' ? 'PUN ' : 'PRT '} ${hex(d.vdev)} CL ${d.target.spoolClass} NOCONT NOHOLD COPY 001 TO ${d.target.to === '*SYSTEM' ? 'SYSTEM' : d.target.to} SUBCHANNEL = ${hex(s.number)}`);
        }
      }
      if (!dasdOnly) lines.unshift(`STORAGE = ${size(vm.storageSize)}`);
      return { rc: 0, lines };
    }
    if (matches(what, 'READER', 1) || matches(what, 'RDR', 3)) {
      const files = cp.spool.reader(vm.userid);
      if (files.length === 0) return { rc: 0, lines: ['NO RDR FILES'] };
      return {
        rc: 0,
        lines: [
          'ORIGINID FILE CLASS RECORDS  CPY HOLD',
          ...files.map((f) => `${f.origin.padEnd(8)} ${String(f.id).padStart(4, '0')} ${f.type === 'punch' ? 'PUN' : 'PRT'} ${f.spoolClass} ${String(f.records.length).padStart(8, '0')} 001 NONE`),
        ],
      };
    }
    return err('HCPCQV026E', `Operand missing or invalid: ${what}`, 26);
  }
  if (matches(cmd, 'SPOOL', 2)) {
    // SPOOL vdev|PUNCH|PRINTER|READER [TO userid|SYSTEM] [CLASS c]
    const which = args[0];
    if (which === undefined) return err('HCPCSP026E', 'Operand missing or invalid', 26);
    const s = vm.io.subchannels.find((x) => {
      const d = x.device;
      if (matches(which, 'PUNCH', 2)) return d.kind === 'punch';
      if (matches(which, 'PRINTER', 2)) return d.kind === 'printer';
      if (matches(which, 'READER', 1)) return d.kind === 'reader';
      return /^[0-9A-F]{1,4}$/i.test(which) && d.vdev === Number.parseInt(which, 16);
    });
    if (s === undefined) return err('HCPCSP040E', `Device ${which.toUpperCase()} does not exist`, 40);
    const d = s.device;
    for (let i = 1; i < args.length; i++) {
      const a = args[i]!;
      if (matches(a, 'TO', 2)) {
        const to = args[++i]?.toUpperCase();
        if (to === undefined) return err('HCPCSP026E', 'Operand missing or invalid', 26);
        if (d.kind !== 'punch' && d.kind !== 'printer') return err('HCPCSP026E', 'TO applies to a punch or printer', 26);
        if (to !== 'SYSTEM' && to !== '*' && !cp.directory.users.has(to)) return err('HCPCSP053E', `${to} not in CP directory`, 53);
        d.target.to = to === 'SYSTEM' ? '*SYSTEM' : to === '*' ? vm.userid : to;
      } else if (matches(a, 'CLASS', 2)) {
        const c = args[++i]?.toUpperCase();
        if (c === undefined || !/^[A-Z0-9*]$/.test(c)) return err('HCPCSP026E', 'Operand missing or invalid', 26);
        if (d.kind === 'reader') d.spoolClass = c;
        else if (d.kind === 'punch' || d.kind === 'printer') d.target.spoolClass = c;
      } else return err('HCPCSP026E', `Operand missing or invalid: ${a}`, 26);
    }
    return { rc: 0, lines: [] };
  }
  if (matches(cmd, 'CLOSE', 2)) {
    const which = args[0];
    const s = vm.io.subchannels.find((x) => {
      const d = x.device;
      if (which === undefined) return false;
      if (matches(which, 'PUNCH', 2)) return d.kind === 'punch';
      if (matches(which, 'PRINTER', 2)) return d.kind === 'printer';
      if (matches(which, 'READER', 1)) return d.kind === 'reader';
      return /^[0-9A-F]{1,4}$/i.test(which) && d.vdev === Number.parseInt(which, 16);
    });
    if (s === undefined) return err('HCPCLS040E', `Device ${(which ?? '').toUpperCase()} does not exist`, 40);
    const d = s.device;
    if (d.kind === 'punch' || d.kind === 'printer') {
      if (d.records.length === 0) return { rc: 0, lines: [] };
      const f = cp.spool.create(vm.userid, d.kind, d.target.spoolClass, d.records.splice(0), d.target.to);
      const lines = [`${d.kind === 'punch' ? 'PUN' : 'PRT'} FILE ${String(f.id).padStart(4, '0')} ${f.queue === '*SYSTEM' ? 'TO SYSTEM' : `SENT TO ${f.queue}`} CLASS ${f.spoolClass} RECS ${String(f.records.length).padStart(4, '0')}`];
      const target = f.queue === '*SYSTEM' ? undefined : cp.vm(f.queue);
      target?.consoleLine(`RDR FILE ${String(f.id).padStart(4, '0')} SENT FROM ${vm.userid} PUN WAS ${String(f.id).padStart(4, '0')} RECS ${String(f.records.length).padStart(4, '0')}`);
      return { rc: 0, lines };
    }
    if (d.kind === 'reader') {
      d.file = null;
      d.position = 0;
      return { rc: 0, lines: [] };
    }
    return err('HCPCLS040E', `Device ${hex(d.vdev)} is not a spool device`, 40);
  }
  if (matches(cmd, 'PURGE', 3)) {
    if (!matches(args[0], 'READER', 1) && !matches(args[0], 'RDR', 3)) return err('HCPCPU026E', 'Operand missing or invalid', 26);
    const target = args[1]?.toUpperCase();
    if (target === undefined) return err('HCPCPU026E', 'Operand missing or invalid', 26);
    const id = target === 'ALL' ? 'ALL' : Number(target);
    if (id !== 'ALL' && !Number.isInteger(id)) return err('HCPCPU026E', `Operand missing or invalid: ${target}`, 26);
    const n = cp.spool.purge(vm.userid, id);
    if (n === 0 && id !== 'ALL') return err('HCPCPU042E', `Spoolid ${target} does not exist`, 42);
    return { rc: 0, lines: [`${String(n).padStart(4, '0')} FILE${n === 1 ? '' : 'S'} PURGED`] };
  }
  if (matches(cmd, 'TRANSFER', 5)) {
    // TRANSFER [READER] spoolid TO userid
    let i = 0;
    if (matches(args[0], 'READER', 1) || matches(args[0], 'RDR', 3)) i = 1;
    const id = Number(args[i]);
    const to = matches(args[i + 1], 'TO', 2) ? args[i + 2]?.toUpperCase() : undefined;
    if (!Number.isInteger(id) || to === undefined) return err('HCPCTR026E', 'Operand missing or invalid', 26);
    if (!cp.directory.users.has(to)) return err('HCPCTR053E', `${to} not in CP directory`, 53);
    if (!cp.spool.transfer(id, vm.userid, to)) return err('HCPCTR042E', `Spoolid ${args[i]} does not exist`, 42);
    cp.vm(to)?.consoleLine(`RDR FILE ${String(id).padStart(4, '0')} TRANSFERRED FROM ${vm.userid}`);
    return { rc: 0, lines: [`RDR FILE ${String(id).padStart(4, '0')} TRANSFERRED TO ${to}`] };
  }
  if (matches(cmd, 'MESSAGE', 1) || matches(cmd, 'MSG', 3)) {
    const to = args[0]?.toUpperCase();
    if (to === undefined) return err('HCPMSG026E', 'Operand missing or invalid', 26);
    const target = cp.vm(to);
    if (target === undefined) return err('HCPMSG045E', `${to} not logged on`, 45);
    target.consoleLine(`MSG FROM ${vm.userid}: ${args.slice(1).join(' ')}`);
    return { rc: 0, lines: [] };
  }
  return err('HCPCMD001E', `Unknown CP command: ${cmd.toUpperCase()}`, 1);
}
