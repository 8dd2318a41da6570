/**
 * Extended mnemonics (HLASM Language Reference, "Extended branch mnemonics"
 * and POP Appendix B): a name for a base instruction with its mask operand M1
 * fixed, e.g. BE = BC 8, JNZ = BRC 7, BR = BCR 15; and plain synonyms such as
 * JAS = BRAS. The extended form takes the base row's operands without M1.
 */

/** An extended mnemonic: `base` with M1 fixed to `mask` (undefined for a plain synonym). */
export interface ExtendedMnemonic {
  readonly mnemonic: string;
  readonly base: string;
  readonly mask: number | undefined;
}

/*
 * Condition masks: 8 = CC0, 4 = CC1, 2 = CC2, 1 = CC3. Listed names come
 * first for each mask so the disassembler prefers them (compare-style names,
 * then arithmetic/test-under-mask synonyms).
 */
const CONDITIONS: readonly (readonly [suffix: string, mask: number])[] = [
  ['', 15],
  ['H', 2],
  ['L', 4],
  ['E', 8],
  ['NH', 13],
  ['NL', 11],
  ['NE', 7],
  ['O', 1],
  ['NO', 14],
  ['P', 2],
  ['M', 4],
  ['Z', 8],
  ['NP', 13],
  ['NM', 11],
  ['NZ', 7],
];

function build(): ExtendedMnemonic[] {
  const out: ExtendedMnemonic[] = [];
  for (const [suffix, mask] of CONDITIONS) {
    out.push({ mnemonic: `B${suffix}`, base: 'BC', mask });
    out.push({ mnemonic: `B${suffix}R`, base: 'BCR', mask });
    out.push({ mnemonic: `J${suffix}`, base: 'BRC', mask });
    out.push({ mnemonic: suffix === '' ? 'BRU' : `BR${suffix}`, base: 'BRC', mask });
  }
  out.push({ mnemonic: 'NOP', base: 'BC', mask: 0 });
  out.push({ mnemonic: 'NOPR', base: 'BCR', mask: 0 });
  out.push({ mnemonic: 'JNOP', base: 'BRC', mask: 0 });
  out.push({ mnemonic: 'JC', base: 'BRC', mask: undefined });
  out.push({ mnemonic: 'JAS', base: 'BRAS', mask: undefined });
  out.push({ mnemonic: 'JCT', base: 'BRCT', mask: undefined });
  out.push({ mnemonic: 'JXH', base: 'BRXH', mask: undefined });
  out.push({ mnemonic: 'JXLE', base: 'BRXLE', mask: undefined });
  return out;
}

/** Every extended mnemonic the assembler accepts. */
export const EXTENDED_MNEMONICS: readonly ExtendedMnemonic[] = Object.freeze(build());

const BY_NAME = new Map(EXTENDED_MNEMONICS.map((e) => [e.mnemonic, e]));
const PREFERRED = new Map<string, string>();
for (const e of EXTENDED_MNEMONICS) {
  if (e.mask === undefined || e.mnemonic.startsWith('BR') && e.base === 'BRC') continue;
  const key = `${e.base}/${e.mask}`;
  if (!PREFERRED.has(key)) PREFERRED.set(key, e.mnemonic);
}

/** Look up an extended mnemonic (upper case). */
export function extendedMnemonic(name: string): ExtendedMnemonic | undefined {
  return BY_NAME.get(name);
}

/** The extended mnemonic the disassembler shows for `base` with mask `mask`, if any. */
export function preferredExtended(base: string, mask: number): string | undefined {
  return PREFERRED.get(`${base}/${mask}`);
}
