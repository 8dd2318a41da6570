/**
 * The reference machine's cost model for ESA/390: the simulated cycles each
 * architectural and virtualization event costs. Instruction base costs are in
 * the instruction table (table.ts, `cycles` of each row); this file prices the
 * events around instructions.
 *
 * IBM published no per-instruction or per-interruption timings for the CMOS
 * S/390 generations, so most figures are stated assumptions, ordered by how
 * much work the architecture defines for the event (storage references made,
 * PSWs swapped, tables walked). Where a paper gives a figure, it is cited.
 */
import type { CostModel } from '../framework/cost-model';

/**
 * The reference machine: an S/390 G5-class CPU (9672 generation 5, 1998),
 * taken as 500 MHz — the clock IBM announced for the G5 turbo models
 * (S/390 G5 announcement, IBM, 1998). One simulated cycle is one cycle of it.
 */
export const ESA390_REFERENCE_MACHINE: CostModel = Object.freeze({
  name: 'esa390-g5-reference',
  mhz: 500,
  events: Object.freeze({
    'program-interruption': {
      cycles: 60,
      source:
        'Assumption: old PSW store, interruption code and ILC store, new PSW fetch (3 storage references of the prefix area) plus a pipeline drain of ~40 cycles.',
    },
    'svc-interruption': {
      cycles: 50,
      source: 'Assumption: like a program interruption minus the exception identification stores.',
    },
    'external-interruption': {
      cycles: 60,
      source: 'Assumption: PSW swap plus interruption code and CPU address stores.',
    },
    'io-interruption': {
      cycles: 70,
      source: 'Assumption: PSW swap plus subsystem-identification word and interruption parameter stores.',
    },
    'tlb-miss': {
      cycles: 20,
      source:
        'Assumption: fixed TLB-miss overhead; each table reference is charged separately as walk-reference.',
    },
    'walk-reference': {
      cycles: 10,
      source:
        'Assumption: one segment- or page-table entry fetch that hits the cache (ESA/390 DAT makes two per walk).',
    },
    'host-trap': {
      cycles: 300,
      source:
        'Assumption: a program interruption into the host plus decoding of the intercepted instruction by the host (VM/370-style CP entry).',
    },
    'host-resume': {
      cycles: 200,
      source:
        'Assumption: the host restoring guest registers and loading the guest PSW (LPSW of a virtual PSW).',
    },
    'sie-entry': {
      cycles: 400,
      source:
        'Assumption: SIE loads ~256 bytes of state description (Osisek, Jackson, Gum, "ESA/390 interpretive-execution architecture", IBM Systems Journal 30(1), 1991, describe SIE entry/exit as the dominant fixed cost of interpretive execution).',
    },
    'sie-exit': {
      cycles: 400,
      source: 'Assumption: symmetric to sie-entry (state description stored back).',
    },
    'shadow-fill': {
      cycles: 150,
      source: 'Assumption: a shadow page-table entry built from a guest walk plus a host walk.',
    },
    'shadow-flush': {
      cycles: 500,
      source: 'Assumption: invalidating a shadow table (purging its entries and TLB).',
    },
    'tracing-fault': {
      cycles: 300,
      source:
        'Assumption: a write-protection fault on a guest page table taken by the host to keep shadows coherent.',
    },
    'nested-fault': {
      cycles: 250,
      source: 'Assumption: a fault in the host layer of a two-dimensional walk, resolved by the host.',
    },
    'io-start': {
      cycles: 100,
      source: 'Assumption: SSCH hand-off to the channel subsystem (ORB fetch, subchannel update).',
    },
    'lpar-dispatch': {
      cycles: 1000,
      source: 'Assumption: PR/SM dispatching a logical CPU (SIE entry plus zone switch and timer setup).',
    },
    'world-switch': {
      cycles: 2000,
      source: 'Assumption: full context switch between guests (all registers, control registers, TLB purge).',
    },
    hypercall: {
      cycles: 300,
      source: 'Assumption: DIAGNOSE into CP, priced like a host trap.',
    },
    'vm-exit': {
      cycles: 400,
      source: 'Assumption: priced like sie-exit for architectures with hardware assists.',
    },
    'vm-entry': {
      cycles: 400,
      source: 'Assumption: priced like sie-entry.',
    },
    'interpreted-instruction': {
      cycles: 30,
      source:
        'Assumption: 30 host instructions per guest instruction at one cycle each; decode-cached interpreters (Hercules, Bochs) spend a few tens of host instructions fetching, decoding, dispatching and translating operand addresses per guest instruction (Mihocka & Shwartsman, "Virtualization without direct execution or jitting", 2008, on Bochs; range 10-50).',
    },
  }),
});
