/** Evaluate a scenario's probes with @strachey/mmu, in the shape the Hercules program stores them. */
import { Access, createTranslationStatus } from '@strachey/isa-core';
import { createEsa390Dat } from '../../src/index';
import { TestContext } from '../esa-fixture';
import { type ProbeResult, type ProgramKind, type Scenario, ascOf, isStore, scenarioStorage } from './dat-programs';

/** What one probe did, comparable between Hercules and mmu. */
export interface Observed {
  readonly address: string;
  /** 'cc0 00123456', 'cc3 00010040', 'pgm 12' (LRA) or 'ok', 'pgm 11 tea 00001000' (load/store). */
  readonly outcome: string;
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** Decode the words the Hercules program stored for each probe. */
export function fromHercules(s: Scenario, kind: ProgramKind, results: readonly ProbeResult[]): Observed[] {
  return results.map((r, i) => {
    const address = hex(s.addresses[i]!);
    if (kind === 'lra31' || kind === 'lra24') {
      if (r.word2 !== 0) return { address, outcome: `pgm ${r.word2.toString(16)}` };
      return { address, outcome: `cc${(r.word1 >>> 28) & 3} ${hex(r.word0)}` };
    }
    if (r.word0 !== 0) return { address, outcome: `pgm ${(r.word0 & 0xff).toString(16)} tea ${hex(r.word1)}` };
    return { address, outcome: isStore(kind) ? 'ok' : `ok ${hex(r.word2)}` };
  });
}

/** Evaluate the same probes with createEsa390Dat over the same storage contents. */
export function fromMmu(s: Scenario, kind: ProgramKind): Observed[] {
  const storage = scenarioStorage(s);
  const context = new TestContext();
  context.cr[0] = s.cr0;
  context.cr[1] = s.std;
  context.cr[7] = s.std;
  context.cr[13] = s.std;
  context.asc = ascOf(kind);
  // Hercules 3.13 does not check STE bit 0 (see README); the generator never sets it.
  const dat = createEsa390Dat({ storage, context });
  return s.addresses.map((a) => {
    const address = hex(a);
    const st = createTranslationStatus();
    if (kind === 'lra31' || kind === 'lra24') {
      const out = new Int32Array(1);
      // The CPU forms the operand address by the addressing mode before LRA sees it.
      const cc = dat.loadRealAddress(kind === 'lra24' ? a & 0xffffff : a & 0x7fffffff, out, st);
      return { address, outcome: cc < 0 ? `pgm ${(-cc).toString(16)}` : `cc${cc} ${hex(out[0]!)}` };
    }
    const r = dat.translate(a & 0x7fffffff, isStore(kind) ? Access.Write : Access.Read, st);
    if (r < 0) return { address, outcome: `pgm ${st.code.toString(16)} tea ${hex(st.exceptionId)}` };
    return { address, outcome: isStore(kind) ? 'ok' : `ok ${hex(storage.read32(r as never))}` };
  });
}
