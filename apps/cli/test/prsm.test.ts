/**
 * `strachey prsm`: a deck and profiles run under PR/SM and the report gives
 * each partition's storage, weight, measured share and dispatches; bad decks,
 * profiles and guest programs are user errors at file:line:column.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBudget, runPrsmCommand } from '../src/commands/prsm';
import { UserError } from '../src/diagnostics';

const DECK = `
         RESOURCE PARTITION=((LPA,1),(LPB,2),(LPC,3))
         CHPID PATH=(10),TYPE=CNC,SHARED
         CNTLUNIT CUNUMBR=0009,PATH=(10),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0009),UNIT=3215
`;
const PROFILES = `
[CPC]
storage = 1G
cps = 3
slice = 500us
[LPA]
storage = 64M
cps = 2
weight = 25
[LPB]
storage = 128M
mode = blocks
cps = 2
weight = 75
[LPC]
storage = 64M
cps = 1
dedicated = yes
`;
const HELLO = `
HELLO    START X'2000'
         BALR  12,0
         USING *,12
         L     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SSCH  ORB
POLL     TSCH  IRB
         BNZ   POLL
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000000'
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'09',X'20',AL2(5),A(TEXT)
TEXT     DC    C'HELLO'
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL96
         END   HELLO
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(deck: string, profiles: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'strachey-prsm-'));
  dirs.push(dir);
  const out: Record<string, string> = { iocp: join(dir, 'm.iocp'), profiles: join(dir, 'm.profiles') };
  writeFileSync(out.iocp!, deck);
  writeFileSync(out.profiles!, profiles);
  for (const [name, text] of Object.entries(extra)) {
    out[name] = join(dir, name);
    writeFileSync(out[name]!, text);
  }
  return out;
}

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('strachey prsm', () => {
  it('runs the partitions and reports weights against measured shares', () => {
    const f = files(DECK, PROFILES, { 'hello.asm': HELLO });
    const r = runPrsmCommand({ iocp: f.iocp!, profiles: f.profiles!, budget: '100ms', ipl: [`lpc=${f['hello.asm']}`], json: true });
    const j = r.json as { partitions: { name: string; measuredShare: number | null; configuredShare: number | null; cpsUsed: number; dispatches: number; storageMb: number; mode: string; console: string[] }[]; storageMap: string; cpc: { sharedCps: number } };
    const by = Object.fromEntries(j.partitions.map((p) => [p.name, p]));
    expect(j.cpc.sharedCps).toBe(2);
    expect(by.LPA!.configuredShare).toBe(0.25);
    expect(Math.abs(by.LPA!.measuredShare! - 0.25)).toBeLessThan(0.03);
    expect(Math.abs(by.LPB!.measuredShare! - 0.75)).toBeLessThan(0.03);
    expect(by.LPB).toMatchObject({ mode: 'blocks', storageMb: 128 });
    // The dedicated partition ran the --ipl program, wrote its console line and stopped in a wait.
    expect(by.LPC!.measuredShare).toBeNull();
    expect(by.LPC!.console).toEqual(['0009: HELLO']);
    expect(by.LPA!.dispatches).toBeGreaterThan(10);
    // LPB has blocks 0 and 64 MB; zones are placed top-down under the HSA: LPA first, then LPC.
    expect(j.storageMap).toMatch(/^22\.+31H$/);
    expect(r.text).toMatch(/^LPA\s+zone\s+64\s/m);
  });

  it('writes the dispatches as a Perfetto trace-event file with --trace', () => {
    const f = files(DECK, PROFILES);
    const trace = `${f.iocp!}.trace.json`;
    const r = runPrsmCommand({ iocp: f.iocp!, profiles: f.profiles!, budget: '5ms', trace, json: true });
    const events = (JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { ph: string; name: string; tid: number }[] }).traceEvents;
    const x = events.filter((e) => e.ph === 'X');
    expect(x.length).toBe((r.json as { dispatches: number }).dispatches + 1); // + LPC's dedicated CP, bound at activation
    expect(new Set(x.map((e) => e.name.split('.')[0]))).toEqual(new Set(['LPA', 'LPB', 'LPC']));
  });

  it('reports a deck error at file:line:column', () => {
    const f = files(DECK.replace('TYPE=CNC', 'TYPE=CNX'), PROFILES);
    const e = userError(() => runPrsmCommand({ iocp: f.iocp!, profiles: f.profiles! }));
    expect(e.diagnostics[0]).toMatchObject({ code: 'BAD_VALUE', file: f.iocp, line: 3, column: 31 });
    expect(e.message).toContain('expected FC|FCV|CNC|CTC|OSD|OSE|IQD, found CNX');
  });

  it('reports a profile error and a guest assembly error with their files', () => {
    const f = files(DECK, PROFILES.replace('weight = 75', 'weight = 0'), { 'bad.asm': " START X'2000'\n BOGUS 1,2\n END\n" });
    expect(userError(() => runPrsmCommand({ iocp: f.iocp!, profiles: f.profiles! })).diagnostics[0]).toMatchObject({ code: 'BAD_VALUE', file: f.profiles, line: 14 });
    // Every assembly error, each at its place, as `strachey asm` reports them (not only the first).
    const g = files(DECK, PROFILES, { 'bad.asm': " START X'2000'\n BOGUS 1,2\n L 1,NOSUCH\n END\n" });
    expect(userError(() => runPrsmCommand({ iocp: g.iocp!, profiles: g.profiles!, ipl: [`LPA=${g['bad.asm']}`] })).diagnostics).toMatchObject([
      { code: 'UNKNOWN_OPERATION', file: g['bad.asm'], line: 2, column: 2 },
      { code: 'UNDEFINED_SYMBOL', file: g['bad.asm'], line: 3, column: 6 },
    ]);
  });

  it('refuses unreadable files, unknown partitions and bad budgets', () => {
    expect(userError(() => runPrsmCommand({ iocp: '/nonexistent/x.iocp', profiles: 'y' })).diagnostics[0]!.code).toBe('FILE_NOT_READABLE');
    const f = files(DECK, PROFILES);
    expect(userError(() => runPrsmCommand({ iocp: f.iocp!, profiles: f.profiles!, ipl: ['LPX=foo'] })).diagnostics[0]!.code).toBe('UNDEFINED_PARTITION');
    expect(userError(() => parseBudget('ten seconds')).diagnostics[0]!.code).toBe('BAD_BUDGET');
    expect(parseBudget('2s')).toBe(2e6);
    expect(parseBudget('500us')).toBe(500);
  });
});
