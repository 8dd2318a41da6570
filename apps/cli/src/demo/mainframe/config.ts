/**
 * The composed mainframe's scenario: which partitions the machine has, with
 * what weight and storage, what each one runs (CP with its users, MINIKERN
 * bare, the time-sharing supervisor, a CPU-bound batch loop), which users
 * CP logs on and what they type, and how long the machine runs in
 * simulated time. `strachey demo` runs `DEFAULT_MAINFRAME` unless
 * `--scenario FILE.yaml|FILE.json` gives another; the file is checked
 * against the schema below and every problem is reported as
 * file:line:column with what was expected (the yaml package keeps each
 * node's source range; zod checks the shape). JSON is read by the same
 * YAML parser (JSON is YAML 1.2 flow style), so positions work for both.
 */
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Node, type Document } from 'yaml';
import { z } from 'zod';
import type { Diagnostic } from '../../diagnostics';

const SIZE = /^(\d+)\s*([KMG])$/i;

/** "16M" → bytes; the suffix is required so a user never gives bytes by accident. */
export function parseSize(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (m === null) return null;
  const unit = { K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

/** "500ms", "2s", "750us" → microseconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s)$/.exec(text.trim());
  if (m === null) return null;
  const v = Number(m[1]) * (m[2] === 's' ? 1e6 : m[2] === 'ms' ? 1e3 : 1);
  return Number.isFinite(v) && v > 0 ? v : null;
}

const size = (what: string, min: number, max: number, multiple = 1) =>
  z.string().refine(
    (s) => {
      const n = parseSize(s);
      return n !== null && n >= min && n <= max && n % multiple === 0;
    },
    {
      message: `${what}: a size with a K, M or G suffix from ${min >>> 20}M to ${Math.round(max / 2 ** 20)}M${multiple > 1 ? `, a multiple of ${multiple >>> 20}M` : ''}`,
    },
  );

const duration = (what: string, minUs: number, maxUs: number) =>
  z.string().refine(
    (s) => {
      const n = parseDuration(s);
      return n !== null && n >= minUs && n <= maxUs;
    },
    { message: `${what}: a time such as 500ms, 2s or 750us, from ${minUs} µs to ${maxUs / 1e6} s` },
  );

const name8 = (what: string) =>
  z
    .string()
    .regex(/^[A-Z@#$][A-Z0-9@#$]{0,7}$/i, `${what}: 1-8 letters, digits, @ # $, starting with a letter`);

/** Execution style of one virtual machine: CP emulating every privileged operation, or SIE interpreting the guest. */
const Style = z.enum(['trap-and-emulate', 'sie']);

/**
 * What a CMS user's directory IPL statement names: the saved system `CMS`
 * (its pages mapped shared, nothing read from disk) or a device number
 * (`190`: CMS read from the system disk into the user's own storage).
 */
const Ipl = z
  .string()
  .regex(
    /^(?:[A-Z@#$][A-Z0-9@#$]{0,7}|[0-9A-F]{1,4})$/i,
    'ipl: a saved system name (CMS) or a device number (190)',
  );

/** A CMS user: logged on at a terminal, IPLs CMS (by name or from 190), types each command at the VM READ prompt. */
const CmsUser = z.strictObject({
  userid: name8('userid'),
  password: name8('password').optional(),
  guest: z.literal('cms').optional(),
  storage: size('virtual storage', 1 << 20, 64 << 20, 1 << 20).optional(),
  /** The directory's IPL statement: `CMS` (default, the saved system) or `190` (the system disk). */
  ipl: z.union([Ipl, z.number().int().min(0)]).optional(),
  /** Must be the partition's style: a terminal LOGON gives CP's default style. */
  style: Style.optional(),
  /** CMS commands (LISTFILE, TYPE fn ft, QUERY DISK, …) and `#CP cmd` lines, typed in order. */
  commands: z.array(z.string().min(1).max(130)).max(20).optional(),
});

/** A user running the DAT test kernel MINIKERN under CP (its tasks in two address spaces: shadow tables). */
const KernelUser = z.strictObject({
  userid: name8('userid'),
  password: name8('password').optional(),
  guest: z.literal('minikern'),
  storage: size('virtual storage', 1 << 20, 64 << 20, 1 << 20).optional(),
  /** This virtual machine's execution style (default: the partition's). */
  style: Style.optional(),
});

const User = z.union([KernelUser, CmsUser]);

const common = {
  name: name8('partition name'),
  weight: z.number().int().min(1).max(999),
  storage: size('partition storage', 1 << 20, 2 ** 31, 1 << 20).optional(),
  mode: z.enum(['zone', 'blocks']).optional(),
  capped: z.boolean().optional(),
  /** Logical CPs (CP uses the first; a batch job runs on all). */
  cps: z.number().int().min(1).max(16).optional(),
};

/** A partition running CP with its users. */
const CpPartition = z.strictObject({
  ...common,
  runs: z.literal('cp'),
  /** Execution style of CP's virtual machines. */
  style: Style.optional(),
  users: z.array(User).min(1).max(40),
});

/** A partition running a bare ESA/390 program. */
const BarePartition = z.strictObject({
  ...common,
  runs: z.enum(['minikern', 'supervisor', 'batch']),
  /** Supervisor workload: SIEVE counts primes below this, COLLATZ searches below `collatz`. */
  sieve: z.number().int().min(2).max(16_000_000).optional(),
  collatz: z.number().int().min(2).max(159_487).optional(),
});

const Partition = z.discriminatedUnion('runs', [CpPartition, BarePartition]);

/** The scenario file's schema. */
export const MainframeSchema = z.strictObject({
  machine: z
    .strictObject({
      cps: z.number().int().min(1).max(16).optional(),
      storage: size('machine storage', 256 << 20, 2 ** 32 - 4096, 64 << 20).optional(),
      slice: duration('PR/SM time slice', 100, 100_000).optional(),
      /** Printing speed of the partitions' 3215 consoles, characters per second (the real 3215: 85). */
      console: z.number().int().min(1).max(1_000_000).optional(),
      /** A logical CP woken by I/O or a timer takes a physical CP from one that selects after it (prsm's preemptOnWake). */
      preemptOnWake: z.boolean().optional(),
    })
    .optional(),
  /** How long the machine runs, in simulated time. */
  time: duration('simulated time', 1000, 10_000_000).optional(),
  partitions: z.array(Partition).min(1).max(15),
});

export type MainframeInput = z.infer<typeof MainframeSchema>;
export type PartitionInput = z.infer<typeof Partition>;
export type UserInput = z.infer<typeof User>;

/** The scenario with every default filled in. */
export interface MainframeConfig {
  readonly file: string;
  readonly cps: number;
  readonly storage: number;
  readonly sliceUs: number;
  readonly consoleCps: number;
  readonly preemptOnWake: boolean;
  readonly timeUs: number;
  readonly partitions: readonly PartitionConfig[];
}

/** What every partition has whatever it runs: the figures of its image profile. */
export interface PartitionImageConfig {
  readonly name: string;
  readonly weight: number;
  readonly storage: number;
  readonly mode: 'zone' | 'blocks';
  readonly capped: boolean;
  readonly cps: number;
}

export type PartitionConfig =
  | (PartitionImageConfig & {
      readonly runs: 'cp';
      readonly style: 'trap-and-emulate' | 'sie';
      readonly users: readonly UserConfig[];
    })
  | (PartitionImageConfig & {
      readonly runs: 'minikern' | 'supervisor' | 'batch';
      readonly sieve: number;
      readonly collatz: number;
    });

export interface UserConfig {
  readonly userid: string;
  readonly password: string;
  readonly guest: 'cms' | 'minikern';
  readonly storage: number;
  readonly commands: readonly string[];
  /** Execution style of this user's virtual machine. */
  readonly style: 'trap-and-emulate' | 'sie';
  /** CMS users: the directory's IPL target, `CMS` (the saved system) or a device number such as `190`; null for MINIKERN (loaded by the demo). */
  readonly ipl: string | null;
}

/** The only saved system CP in the demo has (MAINT saves it at CP's start). */
export const SAVED_CMS = 'CMS';
/** The CMS system disk every CMS user links read-only: the one minidisk with an IPL record. */
export const CMS_SYSTEM_DISK = '190';

/**
 * The default machine, after the seeds' university installation: a z/VM
 * partition with CMS users and a guest kernel, a partition running a test
 * kernel bare, a time-sharing partition (the bare-metal supervisor) and a
 * batch partition soaking up what the others leave.
 */
export const DEFAULT_MAINFRAME: MainframeInput = {
  machine: { cps: 2, storage: '1G', slice: '12.5ms', console: 2000 },
  time: '300ms',
  partitions: [
    {
      name: 'VM1',
      runs: 'cp',
      weight: 35,
      storage: '256M',
      mode: 'blocks',
      users: [
        { userid: 'ALICE', password: 'ALICEPW', commands: ['LISTFILE', 'TYPE WELCOME TEXT', 'QUERY DISK'] },
        { userid: 'BOB', password: 'BOBPW', commands: ['QUERY DISK', 'LISTFILE * EXEC', '#CP QUERY TIME'] },
        {
          userid: 'CAROL',
          password: 'CAROLPW',
          commands: ['TYPE PROFILE EXEC', 'COPYFILE WELCOME TEXT A NOTES TEXT A', 'LISTFILE'],
        },
        {
          userid: 'DAVE',
          password: 'DAVEPW',
          // Reads CMS from the system disk: the contrast to the others' IPL CMS (its own copy, the IPL's I/O).
          ipl: '190',
          commands: ['LISTFILE', '#CP QUERY VIRTUAL STORAGE', 'TYPE WELCOME TEXT'],
        },
        { userid: 'MINI', password: 'MINIPW', guest: 'minikern' },
        { userid: 'MINISIE', password: 'MINISIE', guest: 'minikern', style: 'sie' },
      ],
    },
    { name: 'KERN', runs: 'minikern', weight: 5, storage: '64M', mode: 'zone' },
    {
      name: 'TSO',
      runs: 'supervisor',
      weight: 20,
      storage: '64M',
      mode: 'zone',
      sieve: 200_000,
      collatz: 20_000,
    },
    { name: 'BATCH1', runs: 'batch', weight: 20, storage: '64M', mode: 'blocks' },
    { name: 'BATCH2', runs: 'batch', weight: 10, storage: '64M', mode: 'zone' },
    { name: 'BATCH3', runs: 'batch', weight: 10, storage: '64M', mode: 'zone' },
  ],
};

const MB = 1 << 20;

/** Fill in defaults and check what the schema cannot (unique names, storage adding up). */
export function resolve(
  input: MainframeInput,
  file: string,
  at: (path: readonly PropertyKey[]) => { line?: number; column?: number },
): { ok: true; config: MainframeConfig } | { ok: false; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const err = (path: readonly PropertyKey[], code: string, message: string) =>
    errors.push({ code, message, file, ...at(path) });
  const cps = input.machine?.cps ?? 2;
  const storage = parseSize(input.machine?.storage ?? '1G')!;
  const sliceUs = parseDuration(input.machine?.slice ?? '12.5ms')!;
  const timeUs = parseDuration(input.time ?? '300ms')!;
  const names = new Set<string>();
  const partitions: PartitionConfig[] = [];
  let used = 64 * MB; // the HSA
  input.partitions.forEach((p, i) => {
    const name = p.name.toUpperCase();
    if (names.has(name)) err(['partitions', i, 'name'], 'DUPLICATE', `partition ${name} is defined twice`);
    names.add(name);
    const mode = p.mode ?? (p.runs === 'cp' ? 'blocks' : 'zone');
    const bytes = parseSize(p.storage ?? (p.runs === 'cp' ? '256M' : '64M'))!;
    if (mode === 'blocks' && bytes % (64 * MB) !== 0)
      err(
        ['partitions', i, 'storage'],
        'BAD_VALUE',
        `block-table mode assigns storage in 64 MB blocks: ${p.storage} is not a multiple of 64M`,
      );
    used += mode === 'blocks' ? Math.ceil(bytes / (64 * MB)) * 64 * MB : bytes;
    const lcps = p.cps ?? 1;
    if (lcps > cps)
      err(
        ['partitions', i, 'cps'],
        'BAD_VALUE',
        `partition ${name} has ${lcps} logical CPs, the machine ${cps} physical CPs`,
      );
    const base = {
      name,
      weight: p.weight,
      storage: bytes,
      mode,
      capped: p.capped ?? false,
      cps: lcps,
    } as const;
    if (p.runs === 'cp') {
      const ids = new Set<string>();
      const partitionStyle = p.style ?? 'trap-and-emulate';
      const users: UserConfig[] = p.users.map((u, j) => {
        const at = (key: string) => ['partitions', i, 'users', j, key];
        const id = u.userid.toUpperCase();
        if (ids.has(id)) err(at('userid'), 'DUPLICATE', `user ${id} is defined twice in ${name}`);
        if (id === 'MAINT')
          err(at('userid'), 'BAD_VALUE', "MAINT is the demo CP's own operator (it owns 190 and saves CMS)");
        ids.add(id);
        const style = u.style ?? partitionStyle;
        let ipl: string | null = null;
        if (u.guest !== 'minikern') {
          if (style !== partitionStyle)
            err(
              at('style'),
              'BAD_VALUE',
              `a CMS user logs on at a terminal, where CP gives the partition's style (${partitionStyle}); set style on partition ${name} instead`,
            );
          ipl = 'ipl' in u && u.ipl !== undefined ? String(u.ipl).toUpperCase() : SAVED_CMS;
          const vdev = /^[0-9A-F]{1,4}$/.test(ipl) && !/^[A-F]+$/.test(ipl);
          if (vdev ? Number.parseInt(ipl, 16) !== 0x190 : ipl !== SAVED_CMS)
            err(
              at('ipl'),
              'BAD_VALUE',
              vdev
                ? `ipl: ${ipl} is not an IPLable disk of ${id}; CMS is on the system disk ${CMS_SYSTEM_DISK}`
                : `ipl: no saved system ${ipl}; CP in the demo saves only ${SAVED_CMS}`,
            );
          if (vdev) ipl = CMS_SYSTEM_DISK;
        }
        return {
          userid: id,
          password: (u.password ?? `${id.slice(0, 6)}PW`).toUpperCase(),
          guest: u.guest ?? 'cms',
          storage: parseSize(u.storage ?? (u.guest === 'minikern' ? '1M' : '16M'))!,
          commands: 'commands' in u ? (u.commands ?? []) : [],
          style,
          ipl,
        };
      });
      // CP's own megabyte, MAINT's (it saves CMS), each user's storage and CP's work area.
      const need = users.reduce((n, u) => n + u.storage + 64 * 1024, 2 * MB + 64 * 1024);
      if (need > bytes)
        err(
          ['partitions', i, 'storage'],
          'NO_STORAGE',
          `CP in ${name} needs ${Math.ceil(need / MB)}M for its users' virtual storage, the partition has ${bytes / MB}M`,
        );
      partitions.push({ ...base, runs: 'cp', style: partitionStyle, users });
    } else {
      partitions.push({
        ...base,
        runs: p.runs,
        sieve: 'sieve' in p ? (p.sieve ?? 200_000) : 200_000,
        collatz: 'collatz' in p ? (p.collatz ?? 20_000) : 20_000,
      });
    }
  });
  if (used > storage)
    err(
      ['machine', 'storage'],
      'NO_STORAGE',
      `the partitions need ${Math.ceil(used / MB)}M with the 64M HSA, the machine has ${storage / MB}M`,
    );
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      file,
      cps,
      storage,
      sliceUs,
      consoleCps: input.machine?.console ?? 2000,
      preemptOnWake: input.machine?.preemptOnWake ?? true,
      timeUs,
      partitions,
    },
  };
}

/** Where a path of the document is, as line and column (1-based), falling back to the closest parent that exists. */
function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key = false,
): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as Node | undefined;
    let range =
      node !== undefined && node !== null && typeof node === 'object' && 'range' in node
        ? node.range
        : undefined;
    if (key || n < path.length) {
      // Point at the key of a map entry when the value is missing or the key is the problem.
      const parent = n > 0 ? doc.getIn(path.slice(0, n - 1) as (string | number)[], true) : doc.contents;
      const last = path[n - 1];
      if (n === path.length && isMap(parent) && typeof last === 'string') {
        const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === last);
        if (pair !== undefined && isScalar(pair.key) && pair.key.range) range = pair.key.range;
      }
    }
    if (range !== undefined && range !== null) {
      const pos = lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** A zod issue in words: what was expected, with the allowed values when there are few. */
function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_value':
      return `${where}expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return `${where}${issue.message}`;
    default:
      return `${where}${issue.message}`;
  }
}

/**
 * A user is a CMS user or a MINIKERN user (a union): zod reports a mistake
 * in either as "Invalid input" for the whole user. Report the issues of the
 * branch the user meant instead — the one with the fewest issues, a branch
 * that rejects the `guest` key itself counting as wrong — at their own paths.
 */
function unionBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const score = (branch: readonly z.core.$ZodIssue[]) =>
    branch.length + (branch.some((i) => i.path[0] === 'guest') ? 100 : 0);
  let best = issue.errors[0]!;
  for (const branch of issue.errors) if (score(branch) < score(best)) best = branch;
  if (best.length === 0) return [issue];
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue);
}

/** Parse and check a scenario file's text; errors are file:line:column diagnostics, never exceptions. */
export function parseMainframe(
  text: string,
  file: string,
): { ok: true; config: MainframeConfig } | { ok: false; errors: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        code: 'SYNTAX',
        // yaml ends its first line with " at line L, column C:" (before a code frame); the diagnostic's place says that already.
        message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
        file,
        line: e.linePos?.[0].line ?? 1,
        column: e.linePos?.[0].col ?? 1,
      })),
    };
  }
  const data: unknown = doc.toJS();
  const parsed = MainframeSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.flatMap(unionBranch).map((issue) => {
        let path = issue.path;
        let key = false;
        if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
          path = [...path, issue.keys[0]];
          key = true;
        }
        // Discriminated unions report the discriminator's path; a missing key points at its map.
        return { code: 'SCENARIO', message: describe(issue), file, ...locate(doc, lines, path, key) };
      }),
    };
  }
  return resolve(parsed.data, file, (path) => locate(doc, lines, path));
}

/** The default scenario, resolved (it is checked by the same rules as a file). */
export function defaultMainframe(): MainframeConfig {
  const r = resolve(DEFAULT_MAINFRAME, '<default>', () => ({}));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.config;
}
