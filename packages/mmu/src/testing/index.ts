/**
 * @strachey/mmu/testing — the Translator contract: the checks every
 * translation layer must pass, written without a test framework so any
 * runner can use them (`for (const c of translatorContract(make)) it(c.name, c.run)`).
 * Also small helpers to lay out page tables in a StoragePort.
 */
import {
  type AbsoluteAddress,
  Access,
  type StoragePort,
  TRANSLATION_FAULT,
  type Translator,
  createTranslationStatus,
} from '@strachey/isa-core';

/** What the contract needs: a fresh translator and addresses worth probing. */
export interface ContractSubject {
  readonly translator: Translator;
  /** Input addresses to probe: some that translate, some that fault. */
  readonly probes: readonly number[];
}

/** One contract check: throws an Error describing the violation. */
export interface ContractCase {
  readonly name: string;
  readonly run: () => void;
}

const ACCESSES: readonly Access[] = [Access.Fetch, Access.Read, Access.Write];

function fail(message: string): never {
  throw new Error(`translator contract: ${message}`);
}

/**
 * The Translator contract:
 * 1. a name; translate() returns an address >= 0 or TRANSLATION_FAULT, never throws;
 * 2. a fault fills `status.code` with a non-zero code;
 * 3. translation is deterministic, also across flush() (flush drops caches, not mappings);
 * 4. `cycles` and `references` only accumulate;
 * 5. translation is page-granular: bytes of one 4 KB page stay contiguous.
 */
export function translatorContract(make: () => ContractSubject): ContractCase[] {
  return [
    {
      name: 'has a name and returns an address or TRANSLATION_FAULT without throwing',
      run: () => {
        const { translator, probes } = make();
        if (typeof translator.name !== 'string' || translator.name.length === 0) fail('name must be a non-empty string');
        const st = createTranslationStatus();
        for (const a of probes) {
          for (const acc of ACCESSES) {
            const r = translator.translate(a, acc, st);
            if (!(r >= 0 || r === TRANSLATION_FAULT) || !Number.isInteger(r)) fail(`translate(${a}) returned ${r}`);
          }
        }
      },
    },
    {
      name: 'a fault reports a non-zero program-interruption code',
      run: () => {
        const { translator, probes } = make();
        for (const a of probes) {
          for (const acc of ACCESSES) {
            const st = createTranslationStatus();
            if (translator.translate(a, acc, st) === TRANSLATION_FAULT && st.code === 0) fail(`fault at ${a} without a code`);
          }
        }
      },
    },
    {
      name: 'translation is deterministic, also across flush()',
      run: () => {
        const { translator, probes } = make();
        const first = probes.map((a) => translator.translate(a, Access.Read, createTranslationStatus()));
        const again = probes.map((a) => translator.translate(a, Access.Read, createTranslationStatus()));
        translator.flush();
        const flushed = probes.map((a) => translator.translate(a, Access.Read, createTranslationStatus()));
        for (let i = 0; i < probes.length; i++) {
          if (first[i] !== again[i] || first[i] !== flushed[i]) {
            fail(`address ${probes[i]} gave ${first[i]}, then ${again[i]}, after flush ${flushed[i]}`);
          }
        }
      },
    },
    {
      name: 'cycles and references only accumulate',
      run: () => {
        const { translator, probes } = make();
        const st = createTranslationStatus();
        let cycles = 0;
        let refs = 0;
        for (const a of probes) {
          translator.translate(a, Access.Read, st);
          if (st.cycles < cycles || st.references < refs) fail('status counters decreased');
          cycles = st.cycles;
          refs = st.references;
        }
      },
    },
    {
      name: 'bytes of one 4 KB page stay contiguous',
      run: () => {
        const { translator, probes } = make();
        for (const a of probes) {
          const base = a - (a % 4096);
          const r0 = translator.translate(base, Access.Read, createTranslationStatus());
          if (r0 < 0) continue;
          for (const k of [1, 0x7ff, 0xfff]) {
            const r = translator.translate(base + k, Access.Read, createTranslationStatus());
            if (r !== r0 + k) fail(`page ${base}: offset ${k} went to ${r}, expected ${r0 + k}`);
          }
        }
      },
    },
  ];
}

/** Write a 32-bit table entry at an absolute address (big-endian). */
export function putEntry(storage: StoragePort, address: number, value: number): void {
  storage.write32(address as AbsoluteAddress, value);
}
