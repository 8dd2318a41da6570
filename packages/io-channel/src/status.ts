/**
 * Bits of the channel-subsystem control blocks (ESA/390 Principles of
 * Operation, SA22-7201, chapter 15 "Basic I/O Functions" and chapter 16 "I/O
 * Interruptions"). The same device-status and subchannel-status bits appear in
 * the S/370 CSW and in bytes 8 and 9 of the ESA/390 SCSW.
 */

// Device (unit) status, SCSW byte 8 (POP 16-"Device Status").
/** Attention: the device wants the program's attention (3270 ENTER). */
export const DS_ATTENTION = 0x80;
/** Status modifier: on a search, "condition satisfied", which makes the channel skip the next CCW. */
export const DS_STATUS_MODIFIER = 0x40;
/** Control-unit end: a control unit that was busy is free again. */
export const DS_CONTROL_UNIT_END = 0x20;
/** Busy: the device or control unit cannot take the command now. */
export const DS_BUSY = 0x10;
/** Channel end: the data transfer of the command is over. */
export const DS_CHANNEL_END = 0x08;
/** Device end: the device has finished the command. */
export const DS_DEVICE_END = 0x04;
/** Unit check: something went wrong; SENSE tells what. */
export const DS_UNIT_CHECK = 0x02;
/** Unit exception: an unusual but normal condition (end of file on a reader). */
export const DS_UNIT_EXCEPTION = 0x01;

// Subchannel (channel) status, SCSW byte 9 (POP 16-"Subchannel Status").
/** Program-controlled interruption: a CCW with the PCI flag was reached. */
export const SS_PCI = 0x80;
/** Incorrect length: the device wanted a different number of bytes than the count. */
export const SS_INCORRECT_LENGTH = 0x40;
/** Program check: the channel program is malformed (bad CCW, address, count, TIC, IDAW). */
export const SS_PROGRAM_CHECK = 0x20;
/** Protection check: the ORB key does not allow the storage access. */
export const SS_PROTECTION_CHECK = 0x10;
/** Channel data check: a parity error in data (never produced by this model). */
export const SS_CHANNEL_DATA_CHECK = 0x08;
/** Channel control check: a channel malfunction (never produced by this model). */
export const SS_CHANNEL_CONTROL_CHECK = 0x04;
/** Interface control check: an invalid signal on the I/O interface (never produced). */
export const SS_INTERFACE_CONTROL_CHECK = 0x02;
/** Chaining check: data overrun while data chaining (never produced by this model). */
export const SS_CHAINING_CHECK = 0x01;

// CCW flags (same bits in format-0 byte 4 and format-1 byte 1; POP 15-"Channel-Command Word").
/** Chain data: the next CCW continues this command's data area. */
export const CCW_CD = 0x80;
/** Chain command: the next CCW is the next command. */
export const CCW_CC = 0x40;
/** Suppress length indication. */
export const CCW_SLI = 0x20;
/** Skip: read without storing. */
export const CCW_SKIP = 0x10;
/** Program-controlled interruption when this CCW is reached. */
export const CCW_PCI = 0x08;
/** Indirect data addressing: the data address names a list of IDAWs. */
export const CCW_IDA = 0x04;
/** Suspend the channel program before this CCW (ORB S must allow it). */
export const CCW_SUSPEND = 0x02;
/** Bit 39: MIDAW in later architectures; must be zero in ESA/390. */
export const CCW_RESERVED = 0x01;

/** SCSW byte 0: the CCW (ORB) key in bits 0-3. */
export const SCSW0_KEY = 0xf0;
/** SCSW byte 0: suspend control from the ORB. */
export const SCSW0_S = 0x08;
/** SCSW byte 0: ESW format. */
export const SCSW0_L = 0x04;
/** SCSW byte 0: deferred condition code. */
export const SCSW0_CC = 0x03;
/** SCSW byte 1: format-1 CCWs. */
export const SCSW1_F = 0x80;
/** SCSW byte 1: prefetch allowed. */
export const SCSW1_P = 0x40;
/** SCSW byte 1: initial-status interruption requested. */
export const SCSW1_I = 0x20;
/** SCSW byte 1: address-limit checking. */
export const SCSW1_A = 0x10;
/** SCSW byte 1: suppress the suspended interruption. */
export const SCSW1_U = 0x08;
/** SCSW byte 1: zero condition code (the initial-status interruption). */
export const SCSW1_Z = 0x04;
/** SCSW byte 1: extended control word (concurrent sense) stored in the IRB. */
export const SCSW1_E = 0x02;
/** SCSW byte 1: path not operational. */
export const SCSW1_N = 0x01;
/** Function control: start function. */
export const FC_START = 0x40;
/** Function control: halt function. */
export const FC_HALT = 0x20;
/** Function control: clear function. */
export const FC_CLEAR = 0x10;
/** Activity control: resume pending (RSCH accepted). */
export const AC_RESUME_PENDING = 0x08;
/** Activity control: start pending (SSCH accepted, not yet started). */
export const AC_START_PENDING = 0x04;
/** Activity control: halt pending. */
export const AC_HALT_PENDING = 0x02;
/** Activity control: clear pending. */
export const AC_CLEAR_PENDING = 0x01;
/** Activity control (byte 3): subchannel active. */
export const AC_SUBCHANNEL_ACTIVE = 0x80;
/** Activity control (byte 3): device active. */
export const AC_DEVICE_ACTIVE = 0x40;
/** Activity control (byte 3): the channel program is suspended. */
export const AC_SUSPENDED = 0x20;
/** Status control: alert status (something unusual). */
export const SC_ALERT = 0x10;
/** Status control: intermediate status (PCI, initial status, suspension). */
export const SC_INTERMEDIATE = 0x08;
/** Status control: primary status (channel end: the start function is over). */
export const SC_PRIMARY = 0x04;
/** Status control: secondary status (device end). */
export const SC_SECONDARY = 0x02;
/** Status control: status pending (TSCH will find it). */
export const SC_PENDING = 0x01;

/** PMCW byte 5: enabled. */
export const PMCW5_E = 0x80;
/** PMCW byte 5: limit mode (2 bits). */
export const PMCW5_LM = 0x60;
/** PMCW byte 5: measurement mode (2 bits). */
export const PMCW5_MM = 0x18;
/** PMCW byte 5: multipath mode. */
export const PMCW5_D = 0x04;
/** PMCW byte 5: timing facility. */
export const PMCW5_T = 0x02;
/** PMCW byte 5: device number valid. */
export const PMCW5_V = 0x01;
/** PMCW byte 27: concurrent sense. */
export const PMCW27_S = 0x01;

/** ORB byte 4: suspend control. */
export const ORB4_S = 0x08;
/** ORB byte 5: format-1 CCWs. */
export const ORB5_F = 0x80;
/** ORB byte 5: prefetch. */
export const ORB5_P = 0x40;
/** ORB byte 5: initial-status interruption. */
export const ORB5_I = 0x20;
/** ORB byte 5: address-limit checking. */
export const ORB5_A = 0x10;
/** ORB byte 5: suppress the suspended interruption. */
export const ORB5_U = 0x08;
/** ORB byte 7: incorrect-length-suppression mode. */
export const ORB7_L = 0x80;

/** Sense byte 0: command reject. */
export const SENSE0_COMMAND_REJECT = 0x80;
/** Sense byte 0: intervention required. */
export const SENSE0_INTERVENTION_REQUIRED = 0x40;
/** Sense byte 0: equipment check. */
export const SENSE0_EQUIPMENT_CHECK = 0x10;
/** Sense byte 0: data check. */
export const SENSE0_DATA_CHECK = 0x08;
/** DASD sense byte 1: no record found. */
export const SENSE1_NO_RECORD_FOUND = 0x08;
/** DASD sense byte 1: file protected (the file mask forbids it). */
export const SENSE1_FILE_PROTECTED = 0x04;
/** DASD sense byte 1: end of cylinder. */
export const SENSE1_END_OF_CYLINDER = 0x20;

/** The usual ending of a command: channel end and device end together. */
export const CE_DE = DS_CHANNEL_END | DS_DEVICE_END;
