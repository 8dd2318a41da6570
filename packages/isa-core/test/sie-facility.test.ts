/**
 * The interpretive-execution facility (SIE, B214) on isa-core's own CPU:
 * guests in ESA/390 assembler run in their own supervisor state under a
 * format-1 state description, relocated by MSO/MSE; each interception code
 * the facility produces, the validity reasons, what the guest handles itself
 * without an interception (SVC, program interruptions, CPU timer), two-level
 * DAT through the guest's own tables, and a host program that executes SIE
 * on a bare machine.
 */
import {
  type AbsoluteAddress,
  type Access,
  assemble,
  createEsa390Machine,
  decodeStateDescription,
  emptyStateDescription,
  type Esa390Dat,
  type Esa390DatContext,
  Esa390Cpu,
  encodeStateDescription,
  InterpretiveExecution,
  type InterpretiveExecutionOptions,
  SIE_IC,
  SIE_ICPT,
  SIE_M,
  SIE_SD,
  SIE_SD_SIZE,
  SIE_STATUS,
  SIE_SVC,
  SIE_V,
  SIE_VALIDITY,
  type SieStateDescription,
  SparseStorage,
  sieInstructionLength,
  type StoragePort,
  TRANSLATION_FAULT,
  type TranslationStatus,
} from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Host storage index of the state description in these tests, and of guest absolute 0 (MSO 2). */
const SD_AT = 0x8000;
const GUEST_AT = 0x20000;

function guestImage(source: string): readonly { address: number; bytes: Uint8Array }[] {
  const r = assemble(source);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return r.chunks;
}

/**
 * An operating host CPU over 1 MB with `source` assembled into a 128 KB
 * guest at MSO 2 / MSE 1 (host X'20000'-X'3FFFF'), and that guest's state
 * description, not yet stored: PSW at guest X'1000', 31-bit, supervisor
 * state, everything masked.
 */
function bareHost(source: string) {
  const storage = new SparseStorage(1 << 20);
  const cpu = new Esa390Cpu({ storage });
  cpu.state = 'operating';
  const sd = emptyStateDescription();
  sd.mso = 2;
  sd.mse = 1;
  sd.psw = [0x00080000, 0x80001000];
  for (const c of guestImage(source)) storage.writeFrom((GUEST_AT + c.address) as AbsoluteAddress, c.bytes);
  return { storage, cpu, sd };
}

/**
 * A host CPU over 1 MB with a 128 KB guest at MSO 2 / MSE 1 (two 64 KB
 * blocks of its own, host X'20000'-X'3FFFF') and its state description at host X'8000'. The guest
 * PSW starts at guest X'1000', 31-bit, supervisor state, everything masked.
 */
function host(
  source: string,
  setup: (sd: SieStateDescription) => void = () => {},
  options: InterpretiveExecutionOptions = {},
) {
  const { storage, cpu, sd } = bareHost(source);
  sd.cr[0] = 0x000000e0;
  setup(sd);
  storage.writeFrom(SD_AT as AbsoluteAddress, encodeStateDescription(sd));
  const facility = new InterpretiveExecution(options);
  const read = (): SieStateDescription => {
    const b = new Uint8Array(SIE_SD_SIZE);
    storage.readInto(SD_AT as AbsoluteAddress, b);
    return decodeStateDescription(b);
  };
  const write = (change: (sd: SieStateDescription) => void): void => {
    const now = read();
    change(now);
    const b = new Uint8Array(SIE_SD_SIZE);
    storage.readInto(SD_AT as AbsoluteAddress, b);
    storage.writeFrom(SD_AT as AbsoluteAddress, encodeStateDescription(now, b));
  };
  const enter = (): SieStateDescription => {
    expect(facility.start(cpu, SD_AT)).toBeNull();
    return read();
  };
  const guestWord = (a: number): number => storage.read32((GUEST_AT + a) as AbsoluteAddress) >>> 0;
  return { storage, cpu, facility, read, write, enter, guestWord };
}

const DIAG_GUEST = `
G        START X'1000'
         LA    3,42
         AHI   3,7
         DIAG  2,3,X'008'
         LA    4,1
         END   G`;

describe('interceptions', () => {
  it("X'04' instruction: DIAGNOSE always intercepts; IPA/IPB hold it (status X'80'), the PSW points past it, GR0-13 come back in the host's registers", () => {
    const h = host(DIAG_GUEST);
    const out = h.enter();
    expect(out.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
    expect(out.ipa).toBe(0x8323);
    expect(out.ipb).toBe(0x00080000);
    expect(out.interceptionStatus).toBe(SIE_STATUS.FORMAT_2);
    // Condition code 2 from AHI is the guest's own; the DIAGNOSE at X'1008' is 4 bytes long.
    expect(out.psw).toEqual([0x00082000, 0x8000100c]);
    expect(sieInstructionLength(out.ipa, out.interceptionStatus)).toBe(4);
    expect(h.cpu.gpr[3]).toBe(49);
    expect(h.facility.counters).toEqual({ entries: 1, byCode: { '04': 1 } });
    // The host emulates and leaves the PSW as stored; the guest continues after the DIAGNOSE on the next entry.
    h.cpu.gpr[4] = 0;
    const again = h.enter();
    expect(h.cpu.gpr[4]).toBe(1);
    // It then runs into the zero halfword after LA: an operation exception the guest takes itself
    // (program new PSW zero: invalid, so the guest check-stops, which ends SIE with a validity interception).
    expect(again.interceptionCode).toBe(SIE_ICPT.VALIDITY);
    expect(again.ipb >>> 16).toBe(SIE_VALIDITY.GUEST_CHECK_STOP);
  });

  it('a state description that crosses a 4 KB frame boundary works the same', () => {
    const { storage, cpu, sd } = bareHost(DIAG_GUEST);
    const at = 0x8f80;
    storage.writeFrom(at as AbsoluteAddress, encodeStateDescription(sd));
    expect(new InterpretiveExecution().start(cpu, at)).toBeNull();
    const b = new Uint8Array(SIE_SD_SIZE);
    storage.readInto(at as AbsoluteAddress, b);
    const out = decodeStateDescription(b);
    expect(out.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
    expect(out.ipa).toBe(0x8323);
    expect(out.interceptionStatus).toBe(SIE_STATUS.FORMAT_2);
    expect(out.psw[1]).toBe(0x8000100c);
    expect(out.mso).toBe(2);
  });

  it("X'04' by the interception controls: LPSW with IC1, LCTL with the LCTL mask, SVC n with the SVC controls", () => {
    const src = `
G        START X'1000'
         BALR  12,0
         USING *,12
         SVC   6
         LCTL  0,0,CR0
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000BAD'
CR0      DC    X'000000E0'
         END   G`;
    // SVC new PSW at guest X'60': back to the instruction after the SVC (X'1004').
    const svcNew = Uint8Array.from([0x00, 0x08, 0, 0, 0x80, 0, 0x10, 0x04]);
    const make = (setup: (sd: SieStateDescription) => void) => {
      const h = host(src, setup);
      h.storage.writeFrom((GUEST_AT + 0x60) as AbsoluteAddress, svcNew);
      return h;
    };
    // With no controls the guest takes its SVC, loads its CR0 and its wait PSW itself.
    const base = make(() => {});
    const free = base.enter();
    expect(free.interceptionCode).toBe(SIE_ICPT.WAIT);
    expect(free.psw).toEqual([0x000a0000, 0x00000bad]);
    expect(base.guestWord(0x88)).toBe(0x00020006);
    expect(base.facility.counters.entries).toBe(1);

    const a = make((sd) => (sd.svcControls = ((SIE_SVC.SECOND << 24) | (6 << 8)) >>> 0)).enter();
    expect(a.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
    expect(a.ipa).toBe(0x0a06);
    // Past the SVC, as the SVC old PSW would be.
    expect(a.psw[1]).toBe(0x80001004);
    // An SVC number the controls do not name is the guest's own.
    const other = make((sd) => (sd.svcControls = ((SIE_SVC.SECOND << 24) | (7 << 8)) >>> 0)).enter();
    expect(other.interceptionCode).toBe(SIE_ICPT.WAIT);

    const b = make((sd) => (sd.lctlMask = 0x8000)).enter();
    expect(b.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
    expect(b.ipa).toBe(0xb700);
    expect(b.psw[1]).toBe(0x80001008);

    const c = make((sd) => (sd.ic = SIE_IC.IC1_LPSW << 16)).enter();
    expect(c.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
    expect(c.ipa).toBe(0x8200);
    // B2D2 of WAIT: base 12 (= X'1002'), displacement X'00E'.
    expect(c.ipb >>> 16).toBe(0xc00e);
    expect(c.psw[1]).toBe(0x8000100c);
  });

  it("X'04' leaves the PSW past the instruction (past the EXECUTE for an EX target, status X'81'); rewinding by sieInstructionLength retries it", () => {
    // The intercepted instruction at guest X'1000' + 4n, alone or as the target of EX 0,X'F00' (R1 0: nothing ORed in).
    const targets = [
      { source: 'SVC   9', bytes: [0x0a, 0x09], ipa: 0x0a09, ipb: 0 },
      { source: "DIAG  0,0,X'008'", bytes: [0x83, 0x00, 0x00, 0x08], ipa: 0x8300, ipb: 0x00080000 },
      { source: 'LPSW  0', bytes: [0x82, 0x00, 0x00, 0x00], ipa: 0x8200, ipb: 0 },
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(...targets),
        fc.boolean(),
        (n, target, executed) => {
          const lines = [`G        START X'1000'`];
          for (let i = 0; i < n; i++) lines.push('         AHI   5,1');
          lines.push(executed ? "         EX    0,X'F00'" : `         ${target.source}`, '         END   G');
          const h = host(lines.join('\n'), (sd) => {
            sd.svcControls = (SIE_SVC.ALL << 24) >>> 0;
            sd.ic = SIE_IC.IC1_LPSW << 16;
          });
          h.storage.writeFrom((GUEST_AT + 0xf00) as AbsoluteAddress, Uint8Array.from(target.bytes));
          h.cpu.gpr[5] = 0;
          const at = 0x1000 + 4 * n;
          const out = h.enter();
          expect(out.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
          expect(out.ipa).toBe(target.ipa);
          expect(out.ipb).toBe(target.ipb);
          expect(out.interceptionStatus).toBe(
            executed ? SIE_STATUS.FORMAT_2 | SIE_STATUS.EXECUTE : SIE_STATUS.FORMAT_2,
          );
          const length = sieInstructionLength(out.ipa, out.interceptionStatus);
          expect(length).toBe(executed ? 4 : target.bytes.length);
          expect(out.psw[1]).toBe((0x80000000 | (at + length)) >>> 0);
          expect(h.cpu.gpr[5]).toBe(n);
          // The host rewinds to retry: the same instruction intercepts again, with nothing before it re-executed.
          h.write((sd) => (sd.psw = [sd.psw[0], sd.psw[1] - length]));
          const again = h.enter();
          expect(again.interceptionCode).toBe(SIE_ICPT.INSTRUCTION);
          expect(again.ipa).toBe(target.ipa);
          expect(again.interceptionStatus).toBe(out.interceptionStatus);
          expect(again.psw).toEqual(out.psw);
          expect(h.cpu.gpr[5]).toBe(n);
        },
      ),
      { seed: 0x51e04, numRuns: 40 },
    );
  });

  it("only an instruction interception sets the interception status: X'1C' wait and X'20' validity store it as zero", () => {
    const h = host(`
G        START X'1000'
         DIAG  0,0,0
         LPSW  X'F00'
         END   G`);
    h.storage.writeFrom(
      (GUEST_AT + 0xf00) as AbsoluteAddress,
      Uint8Array.from([0x00, 0x0a, 0, 0, 0, 0, 0x0b, 0xad]),
    );
    expect(h.enter().interceptionStatus).toBe(SIE_STATUS.FORMAT_2);
    const wait = h.enter();
    expect(wait.interceptionCode).toBe(SIE_ICPT.WAIT);
    expect(wait.interceptionStatus).toBe(0);
    expect(wait.ipa).toBe(0);
    h.write((sd) => (sd.mode = 0));
    const invalid = h.enter();
    expect(invalid.interceptionCode).toBe(SIE_ICPT.VALIDITY);
    expect(invalid.interceptionStatus).toBe(0);
  });

  it("X'08' program interruption (IC0 all program interruptions): code and ILC at SD+X'CC', the guest PSW as the old PSW would be", () => {
    const h = host(
      `
G        START X'1000'
         LA    5,5
         DC    H'0'
         END   G`,
      (sd) => (sd.ic = (SIE_IC.IC0_ALL_PROGRAM << 24) >>> 0),
    );
    const out = h.enter();
    expect(out.interceptionCode).toBe(SIE_ICPT.PROGRAM);
    // Operation exception on a 2-byte instruction: ILC 1 (X'02' at byte 1 of the word), code 1; suppression: PSW past it.
    expect(h.storage.read32((SD_AT + SIE_SD.PROGRAM_INTERRUPTION_ID) as AbsoluteAddress)).toBe(0x00020001);
    expect(out.psw[1]).toBe(0x80001006);
    expect(h.cpu.gpr[5]).toBe(5);
  });

  it("X'10' / X'18' interruption requests end SIE at entry only when the guest is enabled for them", () => {
    const loop = `
G        START X'1000'
LOOP     J     LOOP
         END   G`;
    const ext = host(loop, (sd) => {
      sd.v = SIE_V.EXTERNAL_PENDING;
      sd.psw = [0x01080000, 0x80001000];
    });
    expect(ext.enter().interceptionCode).toBe(SIE_ICPT.EXTERNAL_REQUEST);
    expect(ext.facility.lastInstructions).toBe(0);
    const io = host(loop, (sd) => {
      sd.v = SIE_V.IO_PENDING;
      sd.psw = [0x02080000, 0x80001000];
    });
    expect(io.enter().interceptionCode).toBe(SIE_ICPT.IO_REQUEST);
    // Disabled for it: the guest runs (here to the end of the host's slice, code X'00').
    const masked = host(loop, (sd) => (sd.v = SIE_V.IO_PENDING | SIE_V.EXTERNAL_PENDING), { budget: 1000 });
    expect(masked.enter().interceptionCode).toBe(SIE_ICPT.NONE);
    expect(masked.facility.lastInstructions).toBe(1000);
  });

  it("X'18' / X'10': a guest that enables for a requested interruption while it runs is intercepted at that boundary", () => {
    // Disabled at entry: the guest runs; STOSM enables I/O, and the next boundary intercepts (not the end of the slice).
    const guest = `
G        START X'1000'
         BALR  12,0
         USING *,12
         LA    3,1
         LA    3,2
         STOSM MASK,X'02'
         LA    4,1
LOOP     J     LOOP
MASK     DC    X'00'
         END   G`;
    const io = host(guest, (sd) => (sd.v = SIE_V.IO_PENDING), { budget: 100_000 });
    const out = io.enter();
    expect(out.interceptionCode).toBe(SIE_ICPT.IO_REQUEST);
    // The guest PSW is enabled and points past the STOSM, at the LA it did not execute.
    expect(out.psw).toEqual([0x02080000, 0x8000100e]);
    expect(io.cpu.gpr[3]).toBe(2);
    expect(io.cpu.gpr[4]).toBe(0);
    expect(io.facility.lastInstructions).toBe(4);
    // Not requested: the same guest runs on to the end of the host's slice.
    const none = host(guest, () => {}, { budget: 1000 });
    expect(none.enter().interceptionCode).toBe(SIE_ICPT.NONE);
    expect(none.cpu.gpr[4]).toBe(1);
    // External: the guest enables by LPSW; both requested, the external one is reported.
    const ext = host(
      `
G        START X'1000'
         BALR  12,0
         USING *,12
         LPSW  EN
         DS    0D
EN       DC    X'03080000',A(X'80000000'+NEXT)
NEXT     LA    4,1
LOOP     J     LOOP
         END   G`,
      (sd) => (sd.v = SIE_V.EXTERNAL_PENDING | SIE_V.IO_PENDING),
      { budget: 100_000 },
    );
    const e = ext.enter();
    expect(e.interceptionCode).toBe(SIE_ICPT.EXTERNAL_REQUEST);
    expect(e.psw[0]).toBe(0x03080000);
    expect(ext.cpu.gpr[4]).toBe(0);
  });

  it("X'18' after the guest's own interruption: its new PSW enables I/O, the request is intercepted before the handler runs", () => {
    // The guest's CPU timer fires (it takes that interruption itself); the external new PSW enables I/O.
    const h = host(
      `
G        START X'1000'
         BALR  12,0
         USING *,12
         MVC   X'58'(8),EXTNEW
         SPT   TIMER
         LCTL  0,0,CR0
         STOSM MASK,X'01'
LOOP     AHI   5,1
         J     LOOP
HANDLER  LA    4,1
         J     HANDLER
         DS    0D
EXTNEW   DC    X'02080000',A(X'80000000'+HANDLER)
TIMER    DC    X'00000000',X'00010000'
CR0      DC    X'00000400'
MASK     DC    X'00'
         END   G`,
      (sd) => (sd.v = SIE_V.IO_PENDING),
      { budget: 1_000_000 },
    );
    const out = h.enter();
    expect(out.interceptionCode).toBe(SIE_ICPT.IO_REQUEST);
    // The CPU-timer interruption was taken (code X'1005' at guest X'86'), the handler not yet run.
    expect(h.guestWord(0x84) & 0xffff).toBe(0x1005);
    expect(out.psw[0]).toBe(0x02080000);
    expect(h.cpu.gpr[4]).toBe(0);
    expect(h.cpu.gpr[5]).toBeGreaterThan(0);
  });

  it("X'1C' wait, X'28' stop request, X'00' end of the host's slice with the guest resumable", () => {
    const wait = host(`
G        START X'1000'
         BALR  12,0
         USING *,12
         LPSW  W
         DS    0D
W        DC    X'030A0000',X'00000000'
         END   G`);
    const w = wait.enter();
    expect(w.interceptionCode).toBe(SIE_ICPT.WAIT);
    expect(w.psw[0]).toBe(0x030a0000);

    const stop = host(DIAG_GUEST, (sd) => (sd.v = SIE_V.STOP));
    const s = stop.enter();
    expect(s.interceptionCode).toBe(SIE_ICPT.STOP);
    expect(s.psw[1]).toBe(0x80001000);
    expect(stop.facility.lastInstructions).toBe(0);

    const slice = host(
      `
G        START X'1000'
LOOP     AHI   7,1
         J     LOOP
         END   G`,
      () => {},
      { budget: 300 },
    );
    slice.cpu.gpr[7] = 0;
    const a = slice.enter();
    expect(a.interceptionCode).toBe(SIE_ICPT.NONE);
    const first = slice.cpu.gpr[7]!;
    expect(first).toBe(150);
    slice.enter();
    expect(slice.cpu.gpr[7]).toBe(300);
    expect(slice.facility.counters.byCode['00']).toBe(2);
  });

  it("a program-interruption loop is the guest's own until the host's slice ends, unless the host set a program-loop limit", () => {
    // Program new PSW at guest X'1000', where a zero halfword raises an operation exception again.
    const loop = (options: InterpretiveExecutionOptions) => {
      const h = host(
        `
G        START X'1000'
         DC    H'0'
         END   G`,
        () => {},
        options,
      );
      h.storage.writeFrom(
        (GUEST_AT + 0x68) as AbsoluteAddress,
        Uint8Array.from([0x00, 0x08, 0, 0, 0x80, 0, 0x10, 0x00]),
      );
      return h;
    };
    const free = loop({ budget: 500 });
    expect(free.enter().interceptionCode).toBe(SIE_ICPT.NONE);
    const limited = loop({ budget: 500, programLoopLimit: 100 });
    const out = limited.enter();
    expect(out.interceptionCode).toBe(SIE_ICPT.PROGRAM);
    expect(limited.storage.read32((SD_AT + SIE_SD.PROGRAM_INTERRUPTION_ID) as AbsoluteAddress)).toBe(
      0x00020001,
    );
    expect(limited.cpu.gpr[0]).toBe(0);
    // The limit counts per entry: the next entry lets the guest take 100 again.
    limited.write((sd) => (sd.psw = [0x00080000, 0x80001000]));
    expect(limited.enter().interceptionCode).toBe(SIE_ICPT.PROGRAM);
    expect(limited.facility.counters.byCode['08']).toBe(2);
  });

  it("X'20' validity: each reason, with the code in the high halfword of IPB and the guest not run", () => {
    const cases: [(sd: SieStateDescription) => void, number][] = [
      [(sd) => (sd.mode = SIE_M.S370 | SIE_M.XA), SIE_VALIDITY.S370_NOT_INSTALLED],
      [(sd) => (sd.mode = 0), SIE_VALIDITY.INVALID_MODE],
      [(sd) => (sd.prefix = 0x20000), SIE_VALIDITY.PREFIX_OUTSIDE_EXTENT],
      [
        (sd) => {
          sd.mso = 0;
          sd.mse = 1;
        },
        SIE_VALIDITY.SD_OVERLAPS_GUEST,
      ],
      // An ESA/390 PSW must have bit 12 on.
      [(sd) => (sd.psw = [0x00000000, 0x80001000]), SIE_VALIDITY.INVALID_MODE],
      // DAT on with no DAT port: the guest CPU check-stops.
      [(sd) => (sd.psw = [0x04080000, 0x80001000]), SIE_VALIDITY.GUEST_CHECK_STOP],
    ];
    for (const [setup, reason] of cases) {
      const h = host(DIAG_GUEST, setup);
      h.cpu.gpr[3] = 0;
      const out = h.enter();
      expect(out.interceptionCode).toBe(SIE_ICPT.VALIDITY);
      expect(out.ipb >>> 16).toBe(reason);
      expect(h.cpu.gpr[3]).toBe(0);
    }
  });

  it('SIE itself: a state description not on a doubleword is a specification exception of the host', () => {
    const h = host(DIAG_GUEST);
    // programCheck leaves by the CPU's abort path, which only run() catches: run SIE as an instruction.
    h.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from([0xb2, 0x14, 0x80, 0x04]));
    h.storage.writeFrom(0x68 as AbsoluteAddress, Uint8Array.from([0x00, 0x0a, 0, 0, 0, 0, 0, 0x68]));
    const m = createEsa390Machine({ storage: h.storage, sie: h.facility });
    m.cpus[0]!.loadPsw(0x00080000, 0x80001000);
    m.cpus[0]!.state = 'operating';
    m.run(10);
    expect(h.storage.read32(0x8c as AbsoluteAddress)).toBe(0x00040006);
  });
});

describe('guest CPUs kept between entries', () => {
  it('prepare() builds the guest CPU SIE then uses; a description with another origin gets a new one', () => {
    const h = host(DIAG_GUEST);
    h.facility.prepare(h.cpu, SD_AT, 2, 1, 0);
    const prepared = h.facility.guestCpu(SD_AT);
    expect(prepared).toBeDefined();
    h.enter();
    expect(h.facility.guestCpu(SD_AT)).toBe(prepared);
    expect(prepared!.gpr[3]).toBe(49);
    h.write((sd) => {
      sd.mse = 0;
      sd.psw = [0x00080000, 0x80001000];
    });
    h.enter();
    expect(h.facility.guestCpu(SD_AT)).not.toBe(prepared);
    h.facility.forget(SD_AT);
    expect(h.facility.guestCpu(SD_AT)).toBeUndefined();
  });
});

describe('the guest runs in its own supervisor state', () => {
  it('SVC, program and CPU-timer interruptions, LCTL, SPT, SSM and LPSW are the guest’s own: one entry, one wait interception', () => {
    const h = host(`
G        START 0
         ORG   G+X'58'
         DC    X'00080000',A(EXTH)
         DC    X'00080000',A(SVCH)
         DC    X'00080000',A(PGMH)
         ORG   G+X'1000'
         BALR  12,0
         USING *,12
         SVC   5
         DC    H'0'
         LCTL  0,0,CR0
         SPT   TIMER
         SSM   EXTON
LOOP     AHI   6,1
         B     LOOP
SVCH     LA    3,1(3)
         LPSW  X'20'
PGMH     LA    4,1(4)
         LPSW  X'28'
EXTH     LA    5,1(5)
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
TIMER    DC    X'00000000',X'00010000'
CR0      DC    X'000004E0'
EXTON    DC    X'01'
         END   G`);
    h.write((sd) => (sd.psw = [0x00080000, 0x00001000]));
    for (const r of [3, 4, 5, 6]) h.cpu.gpr[r] = 0;
    const out = h.enter();
    expect(out.interceptionCode).toBe(SIE_ICPT.WAIT);
    expect(h.facility.counters).toEqual({ entries: 1, byCode: { '1c': 1 } });
    expect([h.cpu.gpr[3], h.cpu.gpr[4], h.cpu.gpr[5]]).toEqual([1, 1, 1]);
    expect(h.cpu.gpr[6]).toBeGreaterThan(0);
    // Interruption codes in the guest's own prefix area (guest absolute 0 = host X'20000').
    expect(h.guestWord(0x88)).toBe(0x00020005);
    expect(h.guestWord(0x8c)).toBe(0x00020001);
    expect(h.guestWord(0x84) & 0xffff).toBe(0x1005);
    // The guest's CRs and expired CPU timer travel back in the description.
    expect(out.cr[0]).toBe(0x4e0);
    expect(out.cpuTimer[0] >>> 31).toBe(1);
    // The host CPU spent the guest's time.
    expect(h.cpu.cycles).toBeGreaterThanOrEqual(h.facility.lastCycles);
  });

  it('storage is relocated by MSO and bounded by MSE: a reference beyond the extent is intercepted (X’08’), not taken by the guest', () => {
    const h = host(`
G        START 0
         ORG   G+X'68'
         DC    X'00080000',A(PGMH)
         ORG   G+X'1000'
         BALR  12,0
         USING *,12
         L     2,=F'305419896'
         L     8,=A(X'3000')
         ST    2,0(8)
         L     3,=A(X'20000')
LOAD     L     4,0(3)
NEXT     LA    9,1
PGMH     LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         LTORG
         END   G`);
    h.write((sd) => (sd.psw = [0x00080000, 0x00001000]));
    const out = h.enter();
    expect(h.storage.read32((GUEST_AT + 0x3000) as AbsoluteAddress)).toBe(0x12345678);
    // Guest X'20000' is the first byte past its 128 KB: an addressing exception, intercepted whatever IC0 says
    // (a mandatory interception, as on Hercules 3.13). The PSW is the program old PSW of the suppressed L (past it),
    // ILC 2 (4 bytes) and code 5 at SD+X'CC'; the guest's program new PSW was not taken.
    expect(out.interceptionCode).toBe(SIE_ICPT.PROGRAM);
    expect(h.storage.read32((SD_AT + SIE_SD.PROGRAM_INTERRUPTION_ID) as AbsoluteAddress)).toBe(0x00040005);
    expect(out.psw[1]! & 0x7fffffff).toBe(0x1016); // NEXT
    expect(h.guestWord(0x8c)).toBe(0);
    expect(h.cpu.gpr[4]).toBe(0);
    expect(h.cpu.gpr[9]).toBe(0);
  });
});

/**
 * The simplest honest ESA/390 DAT port for these tests (no TLB): CR1's
 * segment-table designation, segment-table entries with the invalid bit,
 * page tables with the invalid bit, 4 KB pages; tables are read from the
 * storage the facility hands the factory (guest absolute storage).
 */
class SmallDat implements Esa390Dat {
  readonly name = 'small-dat';
  walks = 0;
  constructor(
    private readonly context: Esa390DatContext,
    private readonly storage: StoragePort,
  ) {}
  translate(address: number, _access: Access, status: TranslationStatus): number {
    this.walks++;
    const std = this.context.cr[1]! >>> 0;
    const sx = (address >>> 20) & 0x7ff;
    const fault = (code: number): number => {
      status.code = code;
      status.exceptionId = address & 0x7ffff000;
      status.hostFault = false;
      return TRANSLATION_FAULT;
    };
    if (sx >= ((std & 0x7f) + 1) * 16) return fault(0x10);
    const ste =
      this.storage.read32(this.context.realToAbsolute((std & 0x7ffff000) + sx * 4) as AbsoluteAddress) >>> 0;
    if ((ste & 0x20) !== 0) return fault(0x10);
    const px = (address >>> 12) & 0xff;
    if (px >= ((ste & 0xf) + 1) * 16) return fault(0x11);
    const pte =
      this.storage.read32(this.context.realToAbsolute((ste & 0x7fffffc0) + px * 4) as AbsoluteAddress) >>> 0;
    if ((pte & 0x400) !== 0) return fault(0x11);
    return (pte & 0x7ffff000) | (address & 0xfff);
  }
  flush(): void {}
  loadRealAddress(): number {
    return 3;
  }
  invalidatePage(): void {}
}

describe('two-level translation', () => {
  /**
   * Guest tables in guest storage: segment table at guest real X'4000' (one
   * entry), page table at X'5000' mapping pages 0-15 to themselves, except
   * virtual X'10000' → real X'8000'; virtual X'11000' invalid. A second
   * segment table at X'6000' with a page table at X'7000' maps X'10000' → X'9000'.
   */
  function datGuest(ic = 0) {
    const dats: SmallDat[] = [];
    const h = host(
      `
G        START X'1000'
         BALR  12,0
         USING *,12
         L     8,=A(X'10000')
         L     9,=A(X'11000')
         LCTL  1,1,STD
         LPSW  DATON
NEXT     L     6,0(8)
         L     7,0(9)
         LPSW  WAIT
         DS    0D
DATON    DC    X'04080000',A(X'80000000'+NEXT)
WAIT     DC    X'000A0000',X'00000000'
STD      DC    X'00004000'
         LTORG
         END   G`,
      (sd) => (sd.ic = ic),
      {
        dat: (context, storage) => {
          const d = new SmallDat(context, storage);
          dats.push(d);
          return d;
        },
      },
    );
    const put = (a: number, v: number) => h.storage.write32((GUEST_AT + a) as AbsoluteAddress, v);
    put(0x4000, 0x00005001);
    for (let p = 0; p < 16; p++) put(0x5000 + 4 * p, p << 12);
    put(0x5000 + 0x10 * 4, 0x8000);
    put(0x5000 + 0x11 * 4, 0x400);
    put(0x6000, 0x00007001);
    for (let p = 0; p < 16; p++) put(0x7000 + 4 * p, p << 12);
    put(0x7000 + 0x10 * 4, 0x9000);
    put(0x8000, 0x11111111);
    put(0x9000, 0x22222222);
    return { ...h, dats };
  }

  it('the guest walks its own tables in its own storage; a page-translation exception intercepts nullified, with the TEA', () => {
    const h = datGuest((SIE_IC.IC0_ALL_PROGRAM << 24) >>> 0);
    const out = h.enter();
    expect(h.cpu.gpr[6]).toBe(0x11111111);
    expect(out.interceptionCode).toBe(SIE_ICPT.PROGRAM);
    expect(h.storage.read32((SD_AT + SIE_SD.PROGRAM_INTERRUPTION_ID) as AbsoluteAddress)).toBe(0x00040011);
    expect(h.storage.read32((SD_AT + SIE_SD.TRANSLATION_EXCEPTION_ID) as AbsoluteAddress)).toBe(0x00011000);
    // Nullification: the PSW points at the L, DAT still on.
    expect(out.psw[0]).toBe(0x04080000);
    expect(out.cr[1]).toBe(0x4000);
    expect(h.dats.length).toBe(1);
  });

  it('translations survive re-entry, and follow a new CR1 the host puts in the description', () => {
    const h = datGuest((SIE_IC.IC0_ALL_PROGRAM << 24) >>> 0);
    h.enter();
    const back = h.read().psw[1] - 4;
    // Re-run the first load: same tables, and the guest CPU's translation of X'10000' is still there.
    h.write((sd) => (sd.psw = [sd.psw[0], back]));
    const walks = h.dats[0]!.walks;
    h.cpu.gpr[6] = 0;
    h.enter();
    expect(h.cpu.gpr[6]).toBe(0x11111111);
    // Only the faulting X'11000' was walked again (a fault is never kept).
    expect(h.dats[0]!.walks - walks).toBe(1);
    // The host switches the guest to the other segment table: the next entry translates afresh.
    h.write((sd) => {
      sd.psw = [sd.psw[0], back];
      sd.cr[1] = 0x6000;
    });
    h.cpu.gpr[6] = 0;
    h.enter();
    expect(h.cpu.gpr[6]).toBe(0x22222222);
  });
});

describe('a host program executes SIE', () => {
  it('an ESA/390 host on a bare machine runs a guest by B214 and reads the DIAGNOSE interception from its description', () => {
    const facility = new InterpretiveExecution();
    const machine = createEsa390Machine({ mainsize: 1 << 20, sie: facility });
    for (const c of guestImage(`
H        START X'1000'
         BALR  12,0
         USING *,12
         LA    3,1
         SIE   SDESC
         MVC   X'500'(1),SDESC+X'50'
         MVC   X'504'(2),SDESC+X'56'
         MVC   X'508'(8),SDESC+X'18'
         ST    3,X'510'
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
SDESC    DC    X'00000020',F'0',H'2',H'2',F'0'
         DC    F'0',F'0'
         DC    X'00080000',X'80001000'
         DS    XL224
         END   H`)) {
      machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
    }
    for (const c of guestImage(DIAG_GUEST))
      machine.storage.writeFrom((0x20000 + c.address) as AbsoluteAddress, c.bytes);
    machine.storage.writeFrom(
      0 as AbsoluteAddress,
      Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x10, 0x00]),
    );
    machine.restart(0);
    expect(machine.run(100_000).reason).toBe('halted');
    expect(machine.storage.read8(0x500 as AbsoluteAddress)).toBe(SIE_ICPT.INSTRUCTION);
    expect(machine.storage.read16(0x504 as AbsoluteAddress)).toBe(0x8323);
    // The guest PSW stored back points past the 4-byte DIAGNOSE at X'1008'.
    expect(machine.storage.read32(0x50c as AbsoluteAddress) >>> 0).toBe(0x8000100c);
    // Guest GR3 = 49 in the host's GR3 after SIE.
    expect(machine.storage.read32(0x510 as AbsoluteAddress)).toBe(49);
    expect(facility.counters.entries).toBe(1);
  });
});
