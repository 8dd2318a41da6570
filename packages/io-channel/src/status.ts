/**
 * Bits of the channel-subsystem control blocks (ESA/390 Principles of
 * Operation, SA22-7201, chapter 15 "Basic I/O Functions" and chapter 16 "I/O
 * Interruptions"). The same device-status and subchannel-status bits appear in
 * the S/370 CSW and in bytes 8 and 9 of the ESA/390 SCSW.
 */

/** Device (unit) status, SCSW byte 8 (POP 16-"Device Status"). */
export const DS_ATTENTION = 0x80;
/** Status modifier: on a search, "condition satisfied", which makes the channel skip the next CCW. */
export const DS_STATUS_MODIFIER = 0x40;
export const DS_CONTROL_UNIT_END = 0x20;
export const DS_BUSY = 0x10;
export const DS_CHANNEL_END = 0x08;
export const DS_DEVICE_END = 0x04;
export const DS_UNIT_CHECK = 0x02;
export const DS_UNIT_EXCEPTION = 0x01;

/** Subchannel (channel) status, SCSW byte 9 (POP 16-"Subchannel Status"). */
export const SS_PCI = 0x80;
export const SS_INCORRECT_LENGTH = 0x40;
export const SS_PROGRAM_CHECK = 0x20;
export const SS_PROTECTION_CHECK = 0x10;
export const SS_CHANNEL_DATA_CHECK = 0x08;
export const SS_CHANNEL_CONTROL_CHECK = 0x04;
export const SS_INTERFACE_CONTROL_CHECK = 0x02;
export const SS_CHAINING_CHECK = 0x01;

/** CCW flags (same bits in format-0 byte 4 and format-1 byte 1; POP 15-"Channel-Command Word"). */
export const CCW_CD = 0x80;
export const CCW_CC = 0x40;
export const CCW_SLI = 0x20;
export const CCW_SKIP = 0x10;
export const CCW_PCI = 0x08;
export const CCW_IDA = 0x04;
export const CCW_SUSPEND = 0x02;
/** Bit 39: MIDAW in later architectures; must be zero in ESA/390. */
export const CCW_RESERVED = 0x01;

/** SCSW byte 0 (flag0): CCW key in bits 0-3, then S (suspend control), L (ESW format), deferred cc. */
export const SCSW0_KEY = 0xf0;
export const SCSW0_S = 0x08;
export const SCSW0_L = 0x04;
export const SCSW0_CC = 0x03;
/** SCSW byte 1 (flag1): F P I A U Z E N. */
export const SCSW1_F = 0x80;
export const SCSW1_P = 0x40;
export const SCSW1_I = 0x20;
export const SCSW1_A = 0x10;
export const SCSW1_U = 0x08;
export const SCSW1_Z = 0x04;
export const SCSW1_E = 0x02;
export const SCSW1_N = 0x01;
/** SCSW byte 2: function control (start, halt, clear) and activity control (resume/start/halt/clear pending). */
export const FC_START = 0x40;
export const FC_HALT = 0x20;
export const FC_CLEAR = 0x10;
export const AC_RESUME_PENDING = 0x08;
export const AC_START_PENDING = 0x04;
export const AC_HALT_PENDING = 0x02;
export const AC_CLEAR_PENDING = 0x01;
/** SCSW byte 3: more activity control (subchannel active, device active, suspended) and status control. */
export const AC_SUBCHANNEL_ACTIVE = 0x80;
export const AC_DEVICE_ACTIVE = 0x40;
export const AC_SUSPENDED = 0x20;
export const SC_ALERT = 0x10;
export const SC_INTERMEDIATE = 0x08;
export const SC_PRIMARY = 0x04;
export const SC_SECONDARY = 0x02;
export const SC_PENDING = 0x01;

/** PMCW byte 5 flags: enabled, limit mode (2 bits), measurement mode (2 bits), multipath, timing, valid. */
export const PMCW5_E = 0x80;
export const PMCW5_LM = 0x60;
export const PMCW5_MM = 0x18;
export const PMCW5_D = 0x04;
export const PMCW5_T = 0x02;
export const PMCW5_V = 0x01;
/** PMCW byte 27: concurrent sense (S). */
export const PMCW27_S = 0x01;

/** ORB byte 4: key (bits 0-3), S suspend control, then C/M/Y (not in ESA/390). */
export const ORB4_S = 0x08;
/** ORB byte 5: F (format-1 CCWs), P (prefetch), I (initial-status interruption), A (address-limit checking), U (suppress suspended interruption). */
export const ORB5_F = 0x80;
export const ORB5_P = 0x40;
export const ORB5_I = 0x20;
export const ORB5_A = 0x10;
export const ORB5_U = 0x08;
/** ORB byte 7: L (incorrect-length-suppression mode). */
export const ORB7_L = 0x80;

/** Sense byte 0 (device independent): command reject, intervention required, bus-out, equipment, data check, overrun. */
export const SENSE0_COMMAND_REJECT = 0x80;
export const SENSE0_INTERVENTION_REQUIRED = 0x40;
export const SENSE0_EQUIPMENT_CHECK = 0x10;
export const SENSE0_DATA_CHECK = 0x08;
/** DASD sense byte 1: no record found, file protected, end of cylinder. */
export const SENSE1_NO_RECORD_FOUND = 0x08;
export const SENSE1_FILE_PROTECTED = 0x04;
export const SENSE1_END_OF_CYLINDER = 0x20;

/** The usual ending of a command: channel end and device end together. */
export const CE_DE = DS_CHANNEL_END | DS_DEVICE_END;
