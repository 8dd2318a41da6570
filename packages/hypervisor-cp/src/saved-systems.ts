/**
 * Saved systems — VM/370's named saved systems (NSS, later z/VM's NSS and
 * DCSS): an operating system's storage captured once (SAVESYS) and IPLed by
 * name (`IPL CMS`) without reading its disk. The pages a system declares
 * shared are the *same host frames* in every virtual machine that IPLs it,
 * so a thousand CMS users hold one copy of the CMS nucleus; the others (its
 * non-shared pages, e.g. a nucleus constant area) are copied into each
 * user's storage at IPL.
 *
 * VM/370 protected shared pages with storage keys and, when a user altered
 * one anyway, gave that user a non-shared copy of the system and said so on
 * the console. Here the same contract is kept by isa-core's
 * `SparseStorage.shareFrame`: every store path ends in `frameForWrite`,
 * which gives the writer a private copy of the frame first; CP then drops
 * that user's CPU caches of the old frame (instruction fetch) and writes
 * `DMKVMA181E SHARED SYSTEM name REPLACED WITH NON-SHARED COPY` on the
 * user's console, once per IPL (the message is VM/370's wording; its
 * number is modelled).
 */
import type { SparseStorage } from '@strachey/isa-core';
import type { VirtualMachine } from './vm/virtual-machine';

const PAGE = 4096;

/** A saved system: its pages from `firstPage` on, which of them are shared, and the PSW IPL starts it at. */
export interface SavedSystem {
  /** The name `IPL name` uses (1-8 characters, upper case). */
  readonly name: string;
  /** Guest page number (address / 4096) of the first saved page. */
  readonly firstPage: number;
  /** The saved pages, 4096 bytes each: page `firstPage + i` is `pages[i]`. Never stored into once saved. */
  readonly pages: readonly Uint8Array[];
  /** Guest pages [from, to] (inclusive) that are shared; the rest of `pages` is copied per user at IPL. */
  readonly shared: { readonly from: number; readonly to: number } | null;
  /** The PSW virtual CPU 0 starts with after `IPL name` (high and low word). */
  readonly psw: readonly [number, number];
  /** Smallest virtual storage that holds the system (bytes). */
  readonly minimumStorage: number;
}

/** What SAVESYS captures: the pages and which of them are shared (VM/370's NAMESYS entry). */
export interface SaveSysDefinition {
  readonly name: string;
  /** First and last guest page (address / 4096) to save, inclusive. */
  readonly firstPage: number;
  readonly lastPage: number;
  /** Pages [from, to] (inclusive, within the saved range) that every user shares; default all of them. */
  readonly shared?: { readonly from: number; readonly to: number } | null;
}

/** An error value of saved-system operations, with CP's message. */
export interface SavedSystemError {
  readonly code: string;
  readonly message: string;
}

/** Counters of the saved-system table. */
export interface SavedSystemCounters {
  /** IPLs by name so far. */
  readonly ipls: number;
  /** Shared frames currently mapped into virtual machines (one per user per shared page). */
  readonly mappedFrames: number;
  /** Shared pages users replaced with a private copy by storing into them. */
  readonly privateCopies: number;
}

interface Mapping {
  readonly vm: VirtualMachine;
  readonly system: SavedSystem;
}

/**
 * CP's table of saved systems and of which users' frames map them. `frameOf`
 * gives the storage frame that holds a CP real frame (the identity when CP
 * owns its storage; the partition's relocation when CP runs in an LPAR).
 */
export class SavedSystems {
  private readonly systems = new Map<string, SavedSystem>();
  /** Host frame → the user and system it maps (shared frames only). */
  private readonly byFrame = new Map<number, Mapping>();
  /** Per user, the host frames mapped shared at its last IPL by name, and whether it was told about a private copy. */
  private readonly byVm = new Map<VirtualMachine, { frames: number[]; told: boolean; system: SavedSystem }>();
  /** DEFSYS definitions waiting for their SAVESYS (z/VM's skeleton system data files, class S). */
  private readonly skeletons = new Map<string, SaveSysDefinition>();
  private ipls = 0;
  private copies = 0;
  private saves = 0;

  constructor(
    private readonly storage: SparseStorage,
    private readonly frameOf: (realFrame: number) => number = (f) => f,
    /** Drop whatever else caches `vm`'s frames (CPUs other than its virtual CPUs, e.g. SIE guest CPUs). */
    private readonly flushOther: (vm: VirtualMachine) => void = () => {},
  ) {
    const previous = storage.onFrameCopied;
    storage.onFrameCopied = (frame) => {
      this.copied(frame);
      if (previous !== null) previous(frame);
    };
  }

  /** The saved system called `name`, if any. */
  get(name: string): SavedSystem | undefined {
    return this.systems.get(name.toUpperCase());
  }

  /**
   * DEFSYS: define what a later SAVESYS `def.name` captures (z/VM's
   * skeleton system data file). A skeleton of the same name is replaced;
   * a saved system of that name stays IPLable until SAVESYS replaces it.
   */
  defineSkeleton(def: SaveSysDefinition): { ok: true } | { ok: false; error: SavedSystemError } {
    const name = def.name.toUpperCase();
    if (!/^[A-Z0-9$#@]{1,8}$/.test(name))
      return { ok: false, error: { code: 'HCPNSS003E', message: `Invalid option - ${name}` } };
    if (def.firstPage < 0 || def.lastPage < def.firstPage)
      return { ok: false, error: { code: 'HCPNSS026E', message: 'Operand missing or invalid' } };
    const sh = def.shared;
    if (
      sh !== undefined &&
      sh !== null &&
      (sh.from < def.firstPage || sh.to > def.lastPage || sh.from > sh.to)
    )
      return {
        ok: false,
        error: {
          code: 'HCPNSS436E',
          message: `Shared pages ${sh.from}-${sh.to} are outside the saved pages ${def.firstPage}-${def.lastPage}`,
        },
      };
    this.skeletons.set(name, { ...def, name });
    return { ok: true };
  }

  /** The DEFSYS definition of `name` waiting for SAVESYS, if any. */
  skeleton(name: string): SaveSysDefinition | undefined {
    return this.skeletons.get(name.toUpperCase());
  }

  /**
   * SAVESYS `name`: capture `vm`'s pages as the skeleton `name` defines
   * them (`saveFrom`); the skeleton becomes the saved system. `fileid` is
   * the number of the save (z/VM's spool file id of the system data file).
   */
  saveSkeleton(
    vm: VirtualMachine,
    name: string,
  ): { ok: true; system: SavedSystem; fileid: number } | { ok: false; error: SavedSystemError } {
    const def = this.skeleton(name);
    if (def === undefined)
      return {
        ok: false,
        error: {
          code: 'HCPNSS445E',
          message: `System ${name.toUpperCase()} is not defined; DEFSYS it first`,
        },
      };
    const r = this.saveFrom(vm, def);
    if (!r.ok) return r;
    this.skeletons.delete(def.name);
    return { ok: true, system: r.system, fileid: ++this.saves };
  }

  /** Every saved system, in the order they were saved. */
  list(): SavedSystem[] {
    return [...this.systems.values()];
  }

  /**
   * SAVESYS from a virtual machine: capture its pages `firstPage`…`lastPage`
   * and virtual CPU 0's PSW (where the system resumes after `IPL name`).
   * As on VM/370, the operator IPLs the system from disk, stops it where it
   * should start next time, and saves it. A system of the same name is
   * replaced (users who IPLed the old one keep its frames).
   */
  saveFrom(
    vm: VirtualMachine,
    def: SaveSysDefinition,
  ): { ok: true; system: SavedSystem } | { ok: false; error: SavedSystemError } {
    if (def.firstPage < 0 || def.lastPage < def.firstPage || (def.lastPage + 1) * PAGE > vm.storageSize) {
      return {
        ok: false,
        error: {
          code: 'HCPNSS435E',
          message: `Pages ${def.firstPage}-${def.lastPage} are not all in ${vm.userid}'s storage`,
        },
      };
    }
    const pages: Uint8Array[] = [];
    for (let p = def.firstPage; p <= def.lastPage; p++) {
      const page = new Uint8Array(PAGE);
      vm.storage.readBytes(p * PAGE, page);
      pages.push(page);
    }
    return this.define(def.name, {
      firstPage: def.firstPage,
      pages,
      shared: def.shared === undefined ? { from: def.firstPage, to: def.lastPage } : def.shared,
      psw: vm.cpus[0]!.getPsw(),
    });
  }

  /**
   * Define a saved system from bytes (what SAVESYS would capture after an
   * IPL of `image` at `origin`): the pages covering the image, shared from
   * `shared.from` to `shared.to`.
   */
  defineImage(
    name: string,
    image: {
      readonly origin: number;
      readonly bytes: Uint8Array;
      readonly psw: readonly [number, number];
      readonly shared?: { readonly from: number; readonly to: number } | null;
    },
  ): { ok: true; system: SavedSystem } | { ok: false; error: SavedSystemError } {
    const firstPage = Math.floor(image.origin / PAGE);
    const lastPage = Math.floor((image.origin + Math.max(1, image.bytes.length) - 1) / PAGE);
    const pages: Uint8Array[] = [];
    for (let p = firstPage; p <= lastPage; p++) {
      const page = new Uint8Array(PAGE);
      const from = Math.max(image.origin, p * PAGE);
      const to = Math.min(image.origin + image.bytes.length, (p + 1) * PAGE);
      if (to > from) page.set(image.bytes.subarray(from - image.origin, to - image.origin), from - p * PAGE);
      pages.push(page);
    }
    return this.define(name, {
      firstPage,
      pages,
      shared: image.shared === undefined ? { from: firstPage, to: lastPage } : image.shared,
      psw: image.psw,
    });
  }

  private define(
    rawName: string,
    s: {
      firstPage: number;
      pages: Uint8Array[];
      shared: { from: number; to: number } | null;
      psw: readonly [number, number];
    },
  ): { ok: true; system: SavedSystem } | { ok: false; error: SavedSystemError } {
    const name = rawName.toUpperCase();
    if (!/^[A-Z0-9$#@]{1,8}$/.test(name))
      return { ok: false, error: { code: 'HCPNSS003E', message: `Invalid option - ${name}` } };
    const last = s.firstPage + s.pages.length - 1;
    if (
      s.shared !== null &&
      (s.shared.from < s.firstPage || s.shared.to > last || s.shared.from > s.shared.to)
    ) {
      return {
        ok: false,
        error: {
          code: 'HCPNSS436E',
          message: `Shared pages ${s.shared.from}-${s.shared.to} are outside the saved pages ${s.firstPage}-${last}`,
        },
      };
    }
    const system: SavedSystem = {
      name,
      firstPage: s.firstPage,
      pages: s.pages,
      shared: s.shared,
      psw: [s.psw[0] >>> 0, s.psw[1] >>> 0],
      minimumStorage: (last + 1) * PAGE,
    };
    this.systems.set(name, system);
    return { ok: true, system };
  }

  /**
   * IPL a saved system by name into `vm`: system reset of its virtual CPUs,
   * the shared pages mapped (the same frames as every other user's), the
   * non-shared ones copied, virtual CPU 0 started at the saved PSW. No I/O:
   * the system is running when this returns.
   */
  ipl(vm: VirtualMachine, name: string): { ok: true } | { ok: false; error: SavedSystemError } {
    const system = this.get(name);
    if (system === undefined)
      return {
        ok: false,
        error: { code: 'HCPNSS440E', message: `Saved system ${name.toUpperCase()} was not found` },
      };
    if (vm.storageSize < system.minimumStorage) {
      return {
        ok: false,
        error: {
          code: 'HCPNSS443E',
          message: `Saved system ${system.name} needs ${system.minimumStorage / 1024}K of storage; ${vm.userid} has ${vm.storageSize / 1024}K`,
        },
      };
    }
    this.release(vm);
    for (const c of vm.cpus) {
      c.reset(true);
      c.state = 'stopped';
    }
    const frames: number[] = [];
    const base = vm.storage.origin / PAGE;
    system.pages.forEach((bytes, i) => {
      const page = system.firstPage + i;
      if (system.shared !== null && page >= system.shared.from && page <= system.shared.to) {
        const frame = this.frameOf(base + page);
        this.storage.shareFrame(frame, bytes);
        this.byFrame.set(frame, { vm, system });
        frames.push(frame);
      } else vm.storage.writeBytes(page * PAGE, bytes);
    });
    this.byVm.set(vm, { frames, told: false, system });
    this.flush(vm);
    const v = vm.cpus[0]!;
    v.state = 'operating';
    v.setPsw(system.psw[0], system.psw[1]);
    this.ipls++;
    return { ok: true };
  }

  /**
   * Unmap every shared frame `vm` still maps (LOGOFF, DEFINE STORAGE, a new
   * IPL): the frames read as zeros again in its storage, the saved system
   * stays as it is for everybody else. Call before scrubbing the storage.
   */
  release(vm: VirtualMachine): void {
    const m = this.byVm.get(vm);
    if (m === undefined) return;
    for (const f of m.frames) {
      if (this.storage.shared[f] !== 0) this.storage.dropFrame(f);
      if (this.byFrame.get(f)?.vm === vm) this.byFrame.delete(f);
    }
    this.byVm.delete(vm);
  }

  /** Users that IPLed a saved system and still map some of its pages, with how many. */
  users(): { userid: string; system: string; sharedFrames: number }[] {
    const out: { userid: string; system: string; sharedFrames: number }[] = [];
    for (const [vm, m] of this.byVm) {
      const n = m.frames.filter((f) => this.storage.shared[f] !== 0).length;
      out.push({ userid: vm.userid, system: m.system.name, sharedFrames: n });
    }
    return out;
  }

  /** Counters: IPLs by name, frames mapped shared now, private copies made. */
  counters(): SavedSystemCounters {
    let mapped = 0;
    for (const m of this.byVm.values()) for (const f of m.frames) if (this.storage.shared[f] !== 0) mapped++;
    return { ipls: this.ipls, mappedFrames: mapped, privateCopies: this.copies };
  }

  /** Every CPU of `vm` forgets the frames it cached (instruction fetch, TLB). */
  private flush(vm: VirtualMachine): void {
    for (const c of vm.cpus) c.cpu.flushTlb();
    this.flushOther(vm);
  }

  /** A store made one of a user's shared frames private: its CPUs must forget the old frame; tell the user once. */
  private copied(frame: number): void {
    const m = this.byFrame.get(frame);
    if (m === undefined) return;
    this.byFrame.delete(frame);
    this.copies++;
    const { vm, system } = m;
    this.flush(vm);
    const state = this.byVm.get(vm);
    if (state !== undefined && !state.told) {
      state.told = true;
      vm.consoleLine(`DMKVMA181E SHARED SYSTEM ${system.name} REPLACED WITH NON-SHARED COPY`);
    }
  }
}

/** The NSS lines of `QUERY NSS`: name, pages, shared range, users mapping it. */
export function queryNss(table: SavedSystems): string[] {
  const systems = table.list();
  if (systems.length === 0) return ['HCPQNS441I No saved systems'];
  const users = table.users();
  const lines = ['NAME     PAGES          SHARED         USERS'];
  for (const s of systems) {
    const last = s.firstPage + s.pages.length - 1;
    const range = (a: number, b: number) => `${hex5(a * PAGE)}-${hex5((b + 1) * PAGE - 1)}`;
    const n = users.filter((u) => u.system === s.name).length;
    lines.push(
      `${s.name.padEnd(8)} ${range(s.firstPage, last)}  ${s.shared === null ? 'NONE'.padEnd(13) : range(s.shared.from, s.shared.to)}  ${String(n).padStart(5)}`,
    );
  }
  return lines;
}

function hex5(n: number): string {
  return n.toString(16).toUpperCase().padStart(6, '0');
}
