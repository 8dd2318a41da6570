/**
 * Wiring the channel subsystem into an isa-core ESA/390 machine: one
 * simulated clock shared by the CPUs and the devices, the subsystem as the
 * machine's `IoHandler`, and IPL (POP SA22-7201 chapter 17, "Initial Program
 * Loading") for console scripts' `ipl DEVNUM`.
 */
import { ESA390_REFERENCE_MACHINE, type Esa390Machine, type Esa390MachineOptions, SimClock, createEsa390Machine } from '@strachey/isa-core';
import { ChannelSubsystem, type QueuingPolicy } from './channel-subsystem';

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
 * of every CPU, the IPL channel program through `channels.ipl` (24 bytes to
 * absolute 0, then the format-0 CCWs at 8 and 16), and on success the PSW at
 * absolute 0 made current on CPU `cpu`, which starts operating. Returns an
 * error message, or null.
 */
export function iplHandler(channels: ChannelSubsystem): (machine: Esa390Machine, device: number, cpu: number) => string | null {
  return (machine, device, cpuAddress) => {
    const cpu = machine.cpus[cpuAddress];
    if (cpu === undefined) return `no CPU ${cpuAddress}`;
    machine.reset('initial');
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
