/**
 * @strachey/prsm — PR/SM as firmware: logical partitions from an IOCP deck
 * and image profiles, zone and block-table storage with IRD dynamic storage,
 * the weighted logical-CP dispatcher, channel assignment with MIF/DCM/priority
 * queuing through io-channel, and HiperSockets internal LANs.
 * This file is the package's whole public API.
 */
export * from './errors';
export * from './iocp';
export * from './profiles';
export * from './hipersockets';
export * from './machine';
export * from './smp';
export * from './trace';
export * from './weight-policy';
export * from './hosted';
