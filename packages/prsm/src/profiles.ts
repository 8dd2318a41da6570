/**
 * Image profiles: what the Hardware Management Console keeps per logical
 * partition (initial and reserved storage, logical CPs, dedicated or shared,
 * processing weight, capping), plus one `[CPC]` section for the physical
 * machine. A small INI-like format:
 *
 * ```
 * # comment (also ';')
 * [CPC]
 * storage  = 4G        # physical central storage (K, M, G suffixes)
 * cps      = 10        # physical CPs (shared pool + dedicated)
 * saps     = 2         # system assist processors (run PR/SM and the CSS; no guest work)
 * hsa      = 64M       # hardware system area at the top of storage
 * slice    = 12.5ms    # PR/SM time slice, 12.5-25 ms in the seed (ms or us suffix)
 *
 * [LP1]                # a partition named in the IOCP RESOURCE statement
 * storage  = 256M      # initial storage
 * reserved = 128M      # may be brought online later (IRD / dynamic storage reconfiguration)
 * mode     = blocks    # zone (origin/limit registers) or blocks (64 MB block table)
 * origin   = 0x40000000  # zone mode only: zone origin; default top-down first fit
 * cps      = 2         # logical CPs
 * dedicated = no       # yes: each logical CP owns a physical CP
 * weight   = 30        # 1-999, shared CPs only
 * capped   = no        # yes: never more than the weight's share
 * ```
 *
 * Errors carry file:line:column with what was expected and what was found.
 */
import { fail, ok, type PrsmResult, type SourcePos } from './errors';

/** Storage increment of zone mode (zone origin and limit granularity). */
export const ZONE_INCREMENT = 1 << 20;
/** The seed's 64 MB logical memory block: the unit of block-table mode. */
export const BLOCK_BYTES = 1 << 26;

/** How a partition's storage is relocated. */
export type StorageMode = 'zone' | 'blocks';

/** One image profile. */
export interface ImageProfile {
  readonly name: string;
  readonly storage: number;
  readonly reserved: number;
  readonly mode: StorageMode;
  /** Zone origin requested (zone mode), or null for top-down first fit. */
  readonly origin: number | null;
  readonly cps: number;
  readonly dedicated: boolean;
  readonly weight: number;
  readonly capped: boolean;
  readonly at: SourcePos;
}

/** The physical machine (central processor complex). */
export interface CpcProfile {
  readonly storage: number;
  readonly cps: number;
  readonly saps: number;
  readonly hsa: number;
  /** Time slice in microseconds. */
  readonly sliceUs: number;
}

/** A parsed profile file. */
export interface ProfileSet {
  readonly file: string;
  readonly cpc: CpcProfile;
  readonly images: readonly ImageProfile[];
}

export const DEFAULT_CPC: CpcProfile = Object.freeze({ storage: 2 ** 31, cps: 8, saps: 2, hsa: 64 << 20, sliceUs: 12_500 });

interface Entry {
  readonly key: string;
  readonly value: string;
  readonly keyAt: SourcePos;
  readonly valueAt: SourcePos;
}

function parseSize(e: Entry): PrsmResult<number> {
  const m = /^(\d+)([KMG]?)B?$/i.exec(e.value);
  if (!m) return fail('BAD_VALUE', e.valueAt, `${e.key} must be a size`, 'a number with K, M or G (e.g. 256M)', e.value);
  const unit = (m[2] ?? '').toUpperCase();
  const mult = unit === 'G' ? 2 ** 30 : unit === 'M' ? 2 ** 20 : unit === 'K' ? 2 ** 10 : 1;
  return ok(Number(m[1]) * mult);
}

function parseInt10(e: Entry, min: number, max: number): PrsmResult<number> {
  if (!/^\d+$/.test(e.value) || Number(e.value) < min || Number(e.value) > max) {
    return fail('BAD_VALUE', e.valueAt, `${e.key} out of range`, `an integer ${min}-${max}`, e.value);
  }
  return ok(Number(e.value));
}

function parseBool(e: Entry): PrsmResult<boolean> {
  const v = e.value.toLowerCase();
  if (v === 'yes' || v === 'true' || v === 'on') return ok(true);
  if (v === 'no' || v === 'false' || v === 'off') return ok(false);
  return fail('BAD_VALUE', e.valueAt, `${e.key} is yes or no`, 'yes|no', e.value);
}

function parseAddress(e: Entry): PrsmResult<number> {
  const m = /^0x([0-9a-f]+)$/i.exec(e.value);
  if (m) return ok(Number.parseInt(m[1]!, 16));
  return parseSize(e);
}

function parseTime(e: Entry): PrsmResult<number> {
  const m = /^(\d+(?:\.\d+)?)(ms|us)$/i.exec(e.value);
  if (!m) return fail('BAD_VALUE', e.valueAt, 'slice must be a time', 'e.g. 12.5ms or 500us', e.value);
  return ok(Number(m[1]) * (m[2]!.toLowerCase() === 'ms' ? 1000 : 1));
}

const CPC_KEYS = ['storage', 'cps', 'saps', 'hsa', 'slice'];
const IMAGE_KEYS = ['storage', 'reserved', 'mode', 'origin', 'cps', 'dedicated', 'weight', 'capped'];

/** Parse a profile file. Every `[NAME]` section other than `[CPC]` is an image profile. */
export function parseProfiles(text: string, file = 'profiles'): PrsmResult<ProfileSet> {
  const sections: { name: string; at: SourcePos; entries: Entry[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = i + 1;
    const cut = raw.search(/[#;]/);
    const body = cut >= 0 ? raw.slice(0, cut) : raw;
    if (body.trim() === '') continue;
    const lead = body.search(/\S/);
    const text0 = body.trimEnd();
    if (text0[lead] === '[') {
      const m = /^\[\s*([A-Za-z$#@][A-Za-z0-9$#@]{0,7})\s*\]$/.exec(text0.slice(lead));
      if (!m) return fail('SYNTAX', { file, line, column: lead + 1 }, 'bad section header', '[NAME] with a 1-8 character partition name or [CPC]', text0.slice(lead));
      const name = m[1]!.toUpperCase();
      if (sections.some((s) => s.name === name)) return fail('DUPLICATE', { file, line, column: lead + 2 }, `section [${name}] appears twice`);
      sections.push({ name, at: { file, line, column: lead + 2 }, entries: [] });
      continue;
    }
    const eq = text0.indexOf('=');
    if (eq < 0) return fail('SYNTAX', { file, line, column: text0.length + 1 }, 'setting needs a value', "'key = value'", 'end of line');
    const key = text0.slice(lead, eq).trim().toLowerCase();
    const after = text0.slice(eq + 1);
    const vlead = after.search(/\S/);
    const value = after.trim();
    const current = sections[sections.length - 1];
    if (current === undefined) return fail('SYNTAX', { file, line, column: lead + 1 }, 'setting outside a section', '[CPC] or [NAME] first', key);
    if (!/^[a-z]+$/.test(key)) return fail('SYNTAX', { file, line, column: lead + 1 }, 'bad setting name', 'a word such as storage', key);
    if (value === '') return fail('SYNTAX', { file, line, column: eq + 2 }, `${key} needs a value`, 'a value', 'nothing');
    const allowed = current.name === 'CPC' ? CPC_KEYS : IMAGE_KEYS;
    if (!allowed.includes(key)) return fail('UNKNOWN_OPERAND', { file, line, column: lead + 1 }, `unknown setting ${key} in [${current.name}]`, allowed.join(', '), key);
    if (current.entries.some((e) => e.key === key)) return fail('DUPLICATE_OPERAND', { file, line, column: lead + 1 }, `${key} set twice in [${current.name}]`);
    current.entries.push({ key, value, keyAt: { file, line, column: lead + 1 }, valueAt: { file, line, column: eq + 2 + vlead } });
  }

  let cpc = DEFAULT_CPC;
  const images: ImageProfile[] = [];
  for (const s of sections) {
    const get = (k: string): Entry | undefined => s.entries.find((e) => e.key === k);
    if (s.name === 'CPC') {
      const c = { ...DEFAULT_CPC };
      for (const e of s.entries) {
        let r: PrsmResult<number>;
        if (e.key === 'storage' || e.key === 'hsa') r = parseSize(e);
        else if (e.key === 'cps') r = parseInt10(e, 1, 64);
        else if (e.key === 'saps') r = parseInt10(e, 0, 16);
        else r = parseTime(e);
        if (!r.ok) return r;
        if (e.key === 'storage') {
          if (r.value % BLOCK_BYTES !== 0 || r.value < BLOCK_BYTES || r.value > 2 ** 32) {
            return fail('BAD_VALUE', e.valueAt, 'CPC storage must be a multiple of 64M up to 4G', '64M-4G in 64M steps', e.value);
          }
          c.storage = r.value;
        } else if (e.key === 'hsa') {
          if (r.value % ZONE_INCREMENT !== 0 || r.value < ZONE_INCREMENT) return fail('BAD_VALUE', e.valueAt, 'HSA must be a positive multiple of 1M', 'e.g. 64M', e.value);
          c.hsa = r.value;
        } else if (e.key === 'cps') c.cps = r.value;
        else if (e.key === 'saps') c.saps = r.value;
        else {
          if (r.value < 100 || r.value > 1_000_000) return fail('BAD_VALUE', e.valueAt, 'slice out of range', '100us-1000ms', e.value);
          c.sliceUs = r.value;
        }
      }
      if (c.hsa >= c.storage) return fail('BAD_VALUE', get('hsa')?.valueAt ?? s.at, 'HSA leaves no storage for partitions', `< ${c.storage}`, String(c.hsa));
      cpc = c;
      continue;
    }
    const storageE = get('storage');
    if (storageE === undefined) return fail('MISSING_OPERAND', s.at, `[${s.name}] needs storage =`, 'storage = SIZE', 'no storage setting');
    const storage = parseSize(storageE);
    if (!storage.ok) return storage;
    const modeE = get('mode');
    let mode: StorageMode = 'zone';
    if (modeE !== undefined) {
      const m = modeE.value.toLowerCase();
      if (m !== 'zone' && m !== 'blocks') return fail('BAD_VALUE', modeE.valueAt, 'mode is zone or blocks', 'zone|blocks', modeE.value);
      mode = m;
    }
    const unit = mode === 'blocks' ? BLOCK_BYTES : ZONE_INCREMENT;
    const unitText = mode === 'blocks' ? '64M (one block)' : '1M';
    if (storage.value <= 0 || storage.value % unit !== 0 || storage.value > 2 ** 31) {
      return fail('BAD_VALUE', storageE.valueAt, `storage must be a positive multiple of ${unitText} up to 2G in ${mode} mode`, `a multiple of ${unitText}`, storageE.value);
    }
    let reserved = 0;
    const resE = get('reserved');
    if (resE !== undefined) {
      const r = parseSize(resE);
      if (!r.ok) return r;
      if (r.value % unit !== 0 || storage.value + r.value > 2 ** 31) {
        return fail('BAD_VALUE', resE.valueAt, `reserved must be a multiple of ${unitText}, initial + reserved at most 2G`, `a multiple of ${unitText}`, resE.value);
      }
      reserved = r.value;
    }
    let origin: number | null = null;
    const oE = get('origin');
    if (oE !== undefined) {
      if (mode !== 'zone') return fail('STORAGE_MODE', oE.keyAt, 'origin applies to zone mode only (blocks are placed by PR/SM)', 'mode = zone', `mode = ${mode}`);
      const r = parseAddress(oE);
      if (!r.ok) return r;
      if (r.value % ZONE_INCREMENT !== 0) return fail('BAD_VALUE', oE.valueAt, 'zone origin must be a multiple of 1M', 'a multiple of 0x100000', oE.value);
      origin = r.value;
    }
    let cps = 1;
    const cE = get('cps');
    if (cE !== undefined) {
      const r = parseInt10(cE, 1, 16);
      if (!r.ok) return r;
      cps = r.value;
    }
    let dedicated = false;
    const dE = get('dedicated');
    if (dE !== undefined) {
      const r = parseBool(dE);
      if (!r.ok) return r;
      dedicated = r.value;
    }
    let weight = 10;
    const wE = get('weight');
    if (wE !== undefined) {
      if (dedicated) return fail('BAD_VALUE', wE.keyAt, 'weight applies to shared CPs only', 'dedicated = no', 'dedicated = yes');
      const r = parseInt10(wE, 1, 999);
      if (!r.ok) return r;
      weight = r.value;
    }
    let capped = false;
    const kE = get('capped');
    if (kE !== undefined) {
      const r = parseBool(kE);
      if (!r.ok) return r;
      if (r.value && dedicated) return fail('BAD_VALUE', kE.valueAt, 'capping applies to shared CPs only', 'capped = no', kE.value);
      capped = r.value;
    }
    images.push({ name: s.name, storage: storage.value, reserved, mode, origin, cps, dedicated, weight, capped, at: s.at });
  }
  return ok({ file, cpc, images });
}
