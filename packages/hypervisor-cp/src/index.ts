/**
 * @strachey/hypervisor-cp — a VM/370-style Control Program: virtual machines
 * for unmodified ESA/390 guests, defined by a z/VM user directory, run by
 * trap-and-emulate. This file is the package's whole public API.
 */
export * from './directory/types';
export { parseDirectory, storageOf } from './directory/parse';
export { validateDirectory, type ResolvedMinidisk } from './directory/validate';
