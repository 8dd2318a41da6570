/**
 * Shared pieces of the unit-record devices (console, printer, card reader and
 * punch): one-byte sense with command reject and intervention required, and
 * the SENSE / SENSE ID / NOP commands every one of them accepts.
 */
import { type CommandResponse, type Device, senseIdBytes } from '../device';
import { CE_DE, DS_UNIT_CHECK, SENSE0_COMMAND_REJECT, SENSE0_INTERVENTION_REQUIRED } from '../status';

/** Base class: keeps the sense byte and answers the common commands. */
export abstract class UnitRecordDevice implements Device {
  abstract readonly deviceType: number;
  abstract readonly deviceModel: number;
  abstract readonly controlUnitType: number;
  abstract readonly controlUnitModel: number;
  protected senseByte = 0;

  abstract execute(request: import('../device').CommandRequest): CommandResponse;

  immediate(command: number): boolean {
    return command === 0x03;
  }

  startProgram(): void {}

  reset(): void {
    this.senseByte = 0;
  }

  takeSense(): Uint8Array {
    const s = Uint8Array.of(this.senseByte);
    this.senseByte = 0;
    return s;
  }

  /** NOP, SENSE (one byte) and SENSE ID; null for other commands. */
  protected common(command: number): CommandResponse | null {
    switch (command) {
      case 0x03:
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      case 0x04:
        return { status: CE_DE, input: this.takeSense(), serviceUs: 0 };
      case 0xe4:
        return { status: CE_DE, input: senseIdBytes(this), serviceUs: 0 };
      default:
        return null;
    }
  }

  /** Sense byte plus what the subclass keeps (`saveState`). */
  snapshot(): unknown {
    return { sense: this.senseByte, ...this.saveState() };
  }

  restore(state: unknown): void {
    const o = state as Record<string, unknown>;
    this.senseByte = Number(o.sense) | 0;
    this.loadState(o);
  }

  protected saveState(): Record<string, unknown> {
    return {};
  }

  protected loadState(_state: Record<string, unknown>): void {}

  protected commandReject(): CommandResponse {
    this.senseByte = SENSE0_COMMAND_REJECT;
    return { status: CE_DE | DS_UNIT_CHECK, serviceUs: 0 };
  }

  protected interventionRequired(): CommandResponse {
    this.senseByte = SENSE0_INTERVENTION_REQUIRED;
    return { status: CE_DE | DS_UNIT_CHECK, serviceUs: 0 };
  }
}
