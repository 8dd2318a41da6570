/** Every Translator of the package passes the shared contract of @strachey/mmu/testing. */
import { SparseStorage } from '@strachey/isa-core';
import { describe, it } from 'vitest';
import {
  BLOCK_SIZE,
  BlockTable,
  Esa390Format,
  NestedWalker,
  ShadowPager,
  TableWalker,
  ZoneRelocator,
  compose,
  createEsa390Dat,
  offsetTranslator,
  relocatedStorage,
  x86_64Format,
} from '../src/index';
import { type ContractSubject, translatorContract } from '../src/testing/index';
import { type TestContext, herculesLraFixture } from './esa-fixture';
import { RadixBuilder } from './radix-builder';

const MB = 1024 * 1024;
const esaProbes = [0, 0x1000, 0x2004, 0x3000, 0x4abc, 0x100000, 0x210000, 0x300000, 0x1000000, 0x7fffffff];

function esaGuest(): { host: SparseStorage; ctx: TestContext; pmap: ReturnType<typeof offsetTranslator> } {
  const { storage, context } = herculesLraFixture(4 * MB);
  const host = new SparseStorage(16 * MB);
  const pmap = offsetTranslator('pmap', 8 * MB, 4 * MB);
  const view = relocatedStorage(host, pmap, 4 * MB);
  const bytes = new Uint8Array(0x20000);
  storage.readInto(0 as never, bytes);
  view.writeFrom(0 as never, bytes);
  return { host, ctx: context, pmap };
}

const subjects: Record<string, () => ContractSubject> = {
  'ESA/390 DAT': () => {
    const { storage, context } = herculesLraFixture();
    return { translator: createEsa390Dat({ storage, context }), probes: esaProbes };
  },
  'x86-64 radix walker': () => {
    const storage = new SparseStorage(16 * MB);
    const f = x86_64Format(() => b.root);
    const b: RadixBuilder = new RadixBuilder(storage, f, 8 * MB);
    for (let i = 0; i < 8; i++) b.map(0x400000 + i * 4096, 0x100000 + i * 4096, { writable: i % 2 === 0 });
    return { translator: new TableWalker({ format: f, storage }), probes: [0, 0x400000, 0x401004, 0x407fff, 0x408000, 2 ** 40] };
  },
  ShadowPager: () => {
    const { host, ctx, pmap } = esaGuest();
    return { translator: new ShadowPager({ format: new Esa390Format(ctx), hostStorage: host, pmap, guestSize: 4 * MB }), probes: esaProbes };
  },
  NestedWalker: () => {
    const { host, ctx, pmap } = esaGuest();
    return { translator: new NestedWalker({ guestFormat: new Esa390Format(ctx), host: pmap, hostStorage: host }), probes: esaProbes };
  },
  ZoneRelocator: () => ({ translator: new ZoneRelocator({ origin: 16 * MB, limit: 8 * MB }), probes: [0, 4096, 8 * MB - 1, 8 * MB, 0x7fffffff] }),
  BlockTable: () => ({
    translator: new BlockTable(512 * MB, [3 * BLOCK_SIZE, BLOCK_SIZE]),
    probes: [0, BLOCK_SIZE - 4096, BLOCK_SIZE, 2 * BLOCK_SIZE, 0x7fffffff],
  }),
  'compose(DAT, zone)': () => {
    const { storage, context } = herculesLraFixture();
    return {
      translator: compose(createEsa390Dat({ storage, context }), new ZoneRelocator({ origin: 32 * MB, limit: 0x30000 })),
      probes: esaProbes,
    };
  },
};

for (const [name, make] of Object.entries(subjects)) {
  describe(`${name} passes the translator contract`, () => {
    for (const c of translatorContract(make)) it(c.name, c.run);
  });
}
