/**
 * @strachey/mmu — address translation layers: ESA/390 DAT with a TLB, shadow
 * page tables, nested (two-dimensional) walks, PR/SM zone and block-table
 * relocation. Every layer is an isa-core `Translator`, so they stack with
 * `compose()`. This file is the package's whole public API.
 */
export * from './costs';
export * from './formats/walk-format';
export * from './formats/esa390';
export * from './formats/radix';
export * from './tlb';
export * from './table-walker';
export * from './esa390-dat';
export * from './compose';
export * from './zone-relocator';
export * from './block-table';
export * from './relocated-storage';
export * from './shadow-pager';
export * from './nested-walker';
export * from './paging-workloads';
