/**
 * @strachey/isa-core — the CPU framework and instruction-set architectures.
 * This file is the package's whole public API.
 */
export * from './framework/addresses';
export * from './framework/storage';
export * from './framework/clock';
export * from './framework/translator';
export * from './framework/io';
export * from './framework/exit';
export * from './framework/cost-model';
export * from './framework/metadata';
export * from './esa390/table';
export * from './esa390/cpu';
export * from './esa390/cost';
export * from './esa390/asm/index';
