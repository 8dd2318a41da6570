/**
 * Branded address types. An address names a byte in one particular address
 * space; the layers of the address pipeline
 * (virtual --DAT--> real --prefixing--> absolute --hypervisor--> host)
 * each change the space, and passing an address of one space where another is
 * expected must not compile. The brands cost nothing at run time: they are
 * plain numbers (unsigned 32-bit values kept in the int range by `>>> 0`).
 */
declare const addressSpace: unique symbol;

/** A number tagged with the address space it belongs to. */
export type Branded<Space extends string> = number & { readonly [addressSpace]: Space };

/** A logical address as a program forms it; translated by DAT when the PSW T bit is one. */
export type VirtualAddress = Branded<'virtual'>;
/** A real address: the result of DAT (or a logical address with DAT off), before prefixing. */
export type RealAddress = Branded<'real'>;
/** An absolute address: a real address after prefixing; what main storage is indexed by. */
export type AbsoluteAddress = Branded<'absolute'>;
/** A host address: a guest's absolute address after the hypervisor's relocation (SIE origin, zone, block table, shadow). */
export type HostAddress = Branded<'host'>;
/** IA-32/Xen: a guest-physical address (later architectures). */
export type GuestPhysicalAddress = Branded<'guest-physical'>;
/** IA-32/Xen: a machine address (later architectures). */
export type MachineAddress = Branded<'machine'>;

export const virtualAddress = (n: number): VirtualAddress => (n >>> 0) as VirtualAddress;
export const realAddress = (n: number): RealAddress => (n >>> 0) as RealAddress;
export const absoluteAddress = (n: number): AbsoluteAddress => (n >>> 0) as AbsoluteAddress;
export const hostAddress = (n: number): HostAddress => (n >>> 0) as HostAddress;
