/**
 * @strachey/hypervisor-cp — a VM/370-style Control Program: virtual machines
 * for unmodified ESA/390 guests, defined by a z/VM user directory, run by
 * trap-and-emulate. This file is the package's whole public API.
 */
export * from './directory/types';
export { parseDirectory, storageOf } from './directory/parse';
export { validateDirectory, type ResolvedMinidisk } from './directory/validate';
export { ControlProgram, createCp, type CpOptions, type CpVolume, type CpRunResult, type CpCounters, type CpError, type CpSnapshot } from './cp';
export { executeCommand, type CommandResult } from './commands';
export { SpoolSystem, type SpoolFile, type SpoolTarget } from './spool';
export { VirtualMachine, type ExecutionStyle, type VmCounters, type VmHost, type VmRunState, type VirtualMachineOptions } from './vm/virtual-machine';
export { VirtualCpu, type VirtualCpuState, VEXT } from './vm/virtual-cpu';
export { GuestStorage, realToAbsolute, CP_AREA_BYTES } from './vm/guest-storage';
export { VirtualIo, VirtualSubchannel, type VirtualDevice, type RealIoPort, type OperandAccess } from './io/virtual-io';
export { translateChannelProgram, completeBounces, type MinidiskExtent, type TranslatedProgram } from './io/channel-program';
export { RealIo } from './real-io';
export { CpTerminalSystem, CpTerminalSession, type CpTerminalOptions, type TerminalReadState } from './terminal/session';
export { formatCmsDisk, readCmsDisk, assembleCmsNucleus, writeCmsSystemDisk, installCms, cmsSourcePath, CMS_BLOCK, CMS_MAX_FILES, CMS_MAX_BLOCKS, CMS_NUCLEUS_ORIGIN, type CmsExtent, type CmsFile, type CmsDiskFile, type CmsDisk, type CmsDiskError } from './cms/disk';
export type { CpPartition, CpTerminalPort } from './cp';
export type { CpChannelSubsystem } from './real-io';
export { guestSource, guestSourcePath, type GuestName } from './guests';
export { SavedSystems, queryNss, type SavedSystem, type SaveSysDefinition, type SavedSystemError, type SavedSystemCounters } from './saved-systems';
export { saveCmsSystem, CMS_SMALL_STORAGE } from './cms/saved-cms';
export { dialCommand, type CommandContext } from './commands';
