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
export type { Esa390Dat, Esa390DatContext } from './esa390/dat';
export * from './esa390/machine';
export * from './esa390/snapshot';
export * from './esa390/trace';
export * from './esa390/classify';
export * from './esa390/system/index';
export * from './esa390/console/index';
export * from './esa390/sie/index';
