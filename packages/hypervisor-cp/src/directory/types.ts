/**
 * The user directory as CP reads it: one entry per virtual machine (z/VM
 * "USER DIRECT", CP Planning and Administration, "Creating and Updating a
 * User Directory"). Parsing turns the source text into these values; the
 * volume check (validate.ts) ties minidisks to real volumes.
 */

/** Where something was written in a directory source file (1-based line and column). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Machine-readable kinds of directory errors. */
export type DirectoryErrorCode =
  | 'UNKNOWN_STATEMENT'
  | 'MISSING_OPERAND'
  | 'EXTRA_OPERAND'
  | 'BAD_OPERAND'
  | 'OUTSIDE_ENTRY'
  | 'DUPLICATE_USER'
  | 'DUPLICATE_PROFILE'
  | 'DUPLICATE_VDEV'
  | 'UNKNOWN_PROFILE'
  | 'UNKNOWN_VOLUME'
  | 'MDISK_OUTSIDE_VOLUME'
  | 'MDISK_OVERLAP'
  | 'LINK_TARGET'
  | 'STORAGE_RANGE';

/** A directory error: what was expected, what was found, where (and the other place, for conflicts). */
export interface DirectoryError extends SourceLocation {
  readonly code: DirectoryErrorCode;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  /** The other statement of a conflict (overlapping minidisk, first definition of a duplicate). */
  readonly related?: SourceLocation;
}

/** Format an error the way compilers do: `file:line:column: error CODE: message`. */
export function formatDirectoryError(e: DirectoryError): string {
  const rel = e.related ? ` (see ${e.related.file}:${e.related.line}:${e.related.column})` : '';
  return `${e.file}:${e.line}:${e.column}: error ${e.code}: ${e.message}${rel}`;
}

/**
 * Access modes of MDISK and LINK (z/VM MDISK statement): R read-only, RR
 * read-only (even if another user holds it R/W), W write, WR write or else
 * read, M multi-write (write unless another user has write), MR multi-write
 * or else read, MW multi-write always.
 */
export type AccessMode = 'R' | 'RR' | 'W' | 'WR' | 'M' | 'MR' | 'MW';
/** Every access mode, in the order the MDISK statement documents them. */
export const ACCESS_MODES: readonly AccessMode[] = ['R', 'RR', 'W', 'WR', 'M', 'MR', 'MW'];

/** Does a link or minidisk mode ask for write access (possibly falling back to read)? */
export function modeWantsWrite(mode: AccessMode): boolean {
  return mode !== 'R' && mode !== 'RR';
}

/** CONSOLE vdev 3215 [class]: the virtual operator console CP simulates. */
export interface ConsoleStatement extends SourceLocation {
  readonly kind: 'console';
  readonly vdev: number;
  readonly devtype: 0x3215;
}

/** SPOOL vdev 2540 READER|PUNCH [class] or SPOOL vdev 1403 [class]: a unit-record device backed by spool files. */
export interface SpoolStatement extends SourceLocation {
  readonly kind: 'spool';
  readonly vdev: number;
  readonly device: 'reader' | 'punch' | 'printer';
  readonly devtype: 0x2540 | 0x1403;
  /** Spool class letter, or '*' (any class, readers). */
  readonly spoolClass: string;
}

/** MDISK vdev 3390 start count volser mode [readpw writepw multpw]: a cylinder extent of a real volume. */
export interface MdiskStatement extends SourceLocation {
  readonly kind: 'mdisk';
  readonly vdev: number;
  readonly devtype: 0x3390;
  readonly startCylinder: number;
  /** Cylinders, or 'END' for the rest of the volume (resolved against the volume catalog). */
  readonly cylinders: number | 'END';
  readonly volser: string;
  readonly mode: AccessMode;
  readonly passwords: { readonly read?: string; readonly write?: string; readonly multi?: string };
}

/** LINK owner vdev-of-owner vdev-here mode: another user's minidisk, reached at LOGON. */
export interface LinkStatement extends SourceLocation {
  readonly kind: 'link';
  readonly owner: string;
  readonly ownerVdev: number;
  readonly vdev: number;
  readonly mode: AccessMode;
}

/** DEDICATE vdev rdev: a real device given to one virtual machine whole. */
export interface DedicateStatement extends SourceLocation {
  readonly kind: 'dedicate';
  readonly vdev: number;
  readonly rdev: number;
}

/** The device statements of an entry, in source order (which is the virtual subchannel order). */
export type DeviceStatement = ConsoleStatement | SpoolStatement | MdiskStatement | LinkStatement | DedicateStatement;

/**
 * How CP runs a user's virtual CPUs: trap-and-emulate (VM/370: the guest in
 * problem state, every privileged operation an exit to CP) or SIE
 * (interpretive execution, VM/XA onwards). The same words as the
 * hypervisor's `ExecutionStyle`.
 */
export type DirectoryExecutionStyle = 'trap-and-emulate' | 'sie';

/**
 * The OPTION operands that choose the execution style — Strachey's own:
 * z/VM's OPTION statement has no such operand (its CP decides on SIE by
 * itself), and neither word is one of its operands.
 */
export const EXECUTION_STYLE_OPTIONS: Readonly<Record<string, DirectoryExecutionStyle>> = {
  SIE: 'sie',
  TRAPEMULATE: 'trap-and-emulate',
};

/** One USER entry with its INCLUDEd profile already merged. */
export interface DirectoryUser extends SourceLocation {
  readonly userid: string;
  /** Logon password, or NOLOG / NOPASS / AUTOONLY / LBYONLY. */
  readonly password: string;
  /** Storage at LOGON, bytes. */
  readonly storage: number;
  /** Largest DEFINE STORAGE allowed, bytes. */
  readonly maxStorage: number;
  /** Privilege classes, e.g. "G" or "ABCDEFG". */
  readonly privilegeClasses: string;
  /** MACHINE ESA [cpus]: architecture mode and virtual CPUs allowed (default ESA, 1). */
  readonly machine: { readonly mode: 'ESA' | 'XA' | 'XC' | 'Z'; readonly maxCpus: number };
  /** IPL target: a vdev or a saved-system name, with PARM text. */
  readonly ipl: { readonly target: string; readonly parm: string } | null;
  /** OPTION operands, upper case, profile's first (the execution-style words included). */
  readonly options: readonly string[];
  /**
   * The execution style the entry chooses with OPTION SIE or OPTION
   * TRAPEMULATE (a Strachey extension, not a z/VM operand), the user's own
   * over its profile's; null leaves it to CP (`createCp({ style })`).
   */
  readonly executionStyle: DirectoryExecutionStyle | null;
  readonly devices: readonly DeviceStatement[];
  /** PROFILE names INCLUDEd. */
  readonly includes: readonly string[];
}

/** A parsed directory. */
export interface Directory {
  readonly users: ReadonlyMap<string, DirectoryUser>;
}

/** A real DASD volume CP can place minidisks on. */
export interface VolumeInfo {
  readonly volser: string;
  readonly cylinders: number;
}

/** A result: the value, or every error found. */
export type DirectoryResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly DirectoryError[] };
