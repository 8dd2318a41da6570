/**
 * Wiring the channel subsystem into an isa-core ESA/390 machine: one
 * simulated clock shared by the CPUs and the devices, the subsystem as the
 * machine's `IoHandler`, and IPL (POP SA22-7201 chapter 17, "Initial Program
 * Loading") for console scripts' `ipl DEVNUM`.
 */
import {
  type ConsoleDiagnostic,
  type ConsoleRunOptions,
  type ConsoleRunResult,
  ESA390_REFERENCE_MACHINE,
  type Esa390Machine,
  type Esa390MachineOptions,
  SimClock,
  createEsa390Machine,
  executeConsoleScript,
  parseConsoleScript,
} from '@strachey/isa-core';
import { ChannelSubsystem, type QueuingPolicy } from './channel-subsystem';
import type { MachineConfig } from './config';

/** Options: the machine's, plus the channel subsystem's images and queuing. */
export interface ChannelMachineOptions extends Omit<Esa390MachineOptions, 'io' | 'clock'> {
  readonly images?: number;
  readonly queuing?: QueuingPolicy;
}

/**
 * Create an ESA/390 machine with a channel subsystem. Attach devices to
 * `channels` (before or after creation); the machine delivers their I/O
 * interruptions through CR6 and the PSW I/O mask.
 */
export function createChannelMachine(options: ChannelMachineOptions): { machine: Esa390Machine; channels: ChannelSubsystem } {
  const mhz = (options.costModel ?? ESA390_REFERENCE_MACHINE).mhz;
  const clock = new SimClock(mhz);
  const channels = new ChannelSubsystem({ clock, ...(options.images !== undefined ? { images: options.images } : {}), ...(options.queuing !== undefined ? { queuing: options.queuing } : {}) });
  const machine = createEsa390Machine({ ...options, io: channels, clock });
  channels.connect(machine.storage);
  return { machine, channels };
}

/**
 * The IPL function a console script's `ipl DEVNUM` needs: initial CPU reset
 * of every CPU and an I/O-system reset, the IPL channel program through `channels.ipl` (24 bytes to
 * absolute 0, then the format-0 CCWs at 8 and 16), and on success the PSW at
 * absolute 0 made current on CPU `cpu`, which starts operating. Returns an
 * error message, or null.
 */
export function iplHandler(channels: ChannelSubsystem): (machine: Esa390Machine, device: number, cpu: number) => string | null {
  return (machine, device, cpuAddress) => {
    const cpu = machine.cpus[cpuAddress];
    if (cpu === undefined) return `no CPU ${cpuAddress}`;
    // IPL begins with a system reset: CPUs and the I/O system (subchannels disabled, nothing pending).
    machine.reset('initial');
    channels.ioSystemReset();
    const r = channels.ipl(device);
    if (!r.ok) {
      const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
      return `IPL from ${device.toString(16).toUpperCase().padStart(4, '0')} failed: ${r.reason} (device status X'${hex2(r.deviceStatus)}', subchannel status X'${hex2(r.subchannelStatus)}')`;
    }
    const dv = new DataView(r.psw.buffer, r.psw.byteOffset, 8);
    cpu.setPsw(dv.getUint32(0), dv.getUint32(4));
    cpu.state = 'operating';
    return null;
  };
}

/** Options of `runScriptOnConfiguredMachine`: the console runner's, plus a default storage size. */
export interface ConfiguredRunOptions extends ConsoleRunOptions {
  /** Main storage when the configuration has no MAINSIZE. Default 16 MB. */
  readonly mainsize?: number;
}

/**
 * Run a Hercules console script (`r`, `restart`, `pause`, `ipl 0190`, …) on a
 * machine configured from a Hercules-style configuration: CPUs and storage
 * from MAINSIZE/NUMCPU, the devices attached in file order, `ipl` wired to
 * the channel subsystem; afterwards printer/punch files and changed DASD
 * images are written back. What `strachey run -f h.cnf script.rc` needs.
 */
export function runScriptOnConfiguredMachine(
  script: string,
  scriptFile: string,
  config: MachineConfig,
  options: ConfiguredRunOptions = {},
): { ok: false; errors: readonly ConsoleDiagnostic[] } | (ConsoleRunResult & { ok: true; machine: Esa390Machine; channels: ChannelSubsystem }) {
  const parsed = parseConsoleScript(script, scriptFile);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const { machine, channels } = createChannelMachine({
    mainsize: config.mainsize ?? options.mainsize ?? 16 << 20,
    ...(config.cpus !== undefined ? { cpus: config.cpus } : {}),
  });
  config.attach(channels);
  const result = executeConsoleScript(parsed.script, machine, { ...options, ipl: options.ipl ?? iplHandler(channels) });
  config.flush();
  return { ok: true, machine, channels, ...result };
}
