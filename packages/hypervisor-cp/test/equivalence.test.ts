/**
 * Popek–Goldberg equivalence, instruction by instruction: small
 * supervisor-state programs that exercise the sensitive instructions run on
 * a bare isa-core machine and in a CP virtual machine; registers, PSW and
 * the first pages of storage must end up identical. What differs on
 * purpose (STIDP's version code X'FF', DIAGNOSE) is tested apart.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { createEsa390Machine } from '@strachey/isa-core';
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { createEsa390Dat } from '@strachey/mmu';
import { describe, expect, it } from 'vitest';
import { createCp } from '../src/index';
import { assembleGuest, loadBare } from './helpers';

const COMPARE = 0x8000;

function bare(source: string) {
  const g = assembleGuest(source);
  const m = createEsa390Machine({ mainsize: 1 << 20, dat: (context, storage) => createEsa390Dat({ storage, context }) });
  loadBare(m.storage, g.chunks);
  m.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, g.entry >>> 8, g.entry & 0xff]));
  m.restart(0);
  const exit = m.run(1_000_000);
  const low = new Uint8Array(COMPARE);
  m.storage.readInto(0 as AbsoluteAddress, low);
  return { exit, gpr: [...m.cpus[0]!.gpr], psw: m.cpus[0]!.getPsw(), low };
}

function underCp(source: string, style: 'trap-and-emulate' | 'sie' = 'trap-and-emulate') {
  const g = assembleGuest(source);
  const r = createCp({ directory: 'USER T T 1M 1M G\n CONSOLE 009 3215\n', volumes: [{ volser: 'X', volume: new CkdVolume(geometry3390(10)) }] });
  if (!r.ok) throw new Error('directory');
  const l = r.cp.logon('T', undefined, { style });
  if (!l.ok) throw new Error(l.error.message);
  for (const c of g.chunks) l.vm.load(c.address, c.bytes);
  l.vm.load(0, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, g.entry >>> 8, g.entry & 0xff]));
  l.vm.restart();
  const result = r.cp.run(50_000_000);
  const low = new Uint8Array(COMPARE);
  l.vm.storage.readBytes(0, low);
  return { result, vm: l.vm, gpr: [...l.vm.cpus[0]!.cpu.gpr], psw: l.vm.cpus[0]!.getPsw(), low };
}

function equivalent(source: string) {
  const b = bare(source);
  expect(b.exit.reason).toBe('halted');
  const results = (['trap-and-emulate', 'sie'] as const).map((style) => {
    const c = underCp(source, style);
    expect(c.result.reason, style).toBe('idle');
    expect(c.psw, style).toEqual(b.psw);
    expect(c.gpr, style).toEqual(b.gpr);
    // Storage keys' reference bits differ (CP touches storage too), the bytes must not.
    for (let i = 0; i < COMPARE; i++) if (c.low[i] !== b.low[i]) expect(`${style} byte ${i.toString(16)}: ${c.low[i]}`).toBe(`${style} byte ${i.toString(16)}: ${b.low[i]}`);
    return c;
  });
  return { bare: b, cp: results[0]!, sie: results[1]! };
}

const PROLOGUE = `
T        START X'1000'
         BALR  12,0
         USING *,12
`;
const EPILOGUE = `
DONE     LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'000A0000',X'00000000'
`;

describe('sensitive instructions: bare machine and CP virtual machine agree (trap-and-emulate and SIE)', () => {
  it('system mask, control registers, prefix, CPU address (SSM STOSM STNSM LCTL STCTL SPX STPX STAP)', () => {
    const r = equivalent(`${PROLOGUE}
         STOSM X'500',X'03'
         STNSM X'501',X'00'
         SSM   MASK
         STNSM X'502',X'FC'
         LCTL  3,5,CRS
         STCTL 0,15,X'600'
         L     2,=A(X'8000')
         ST    2,PFX
         SPX   PFX
         STPX  X'700'
         L     2,=F'0'
         ST    2,PFX
         SPX   PFX
         STPX  X'704'
         STAP  X'708'
         B     DONE
         DS    0F
MASK     DC    X'03'
         DS    0F
CRS      DC    X'11111111',X'22222222',X'33333333'
PFX      DC    F'0'
${EPILOGUE}
         END   T`);
    expect(r.cp.vm.counters.emulated.SPX).toBe(2);
    expect([...r.cp.low.subarray(0x500, 0x503)]).toEqual([0x00, 0x03, 0x03]);
  });

  it('a privileged instruction in (virtual) problem state is the guest kernel’s program interruption, not emulated', () => {
    const r = equivalent(`${PROLOGUE}
         MVC   X'68'(8),PGMNEW
         LPSW  PROB
USER     SSM   X'500'
         B     DONE
PGMINT   STM   0,15,X'400'
         B     DONE
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
PROB     DC    X'00090000',A(X'80000000'+USER)
${EPILOGUE}
         END   T`);
    expect(r.cp.vm.counters.reflectedProgram['0002']).toBe(1);
    expect(r.cp.vm.counters.emulated.SSM).toBeUndefined();
    // Program interruption code 2, ILC 2 (SSM is 4 bytes).
    expect([...r.cp.low.subarray(0x8c, 0x90)]).toEqual([0, 4, 0, 2]);
  });

  it('SVC from problem state goes to the guest’s SVC new PSW and returns with LPSW of the SVC old PSW', () => {
    equivalent(`${PROLOGUE}
         MVC   X'60'(8),SVCNEW
         LPSW  PROB
USER     LA    3,7
         SVC   42
         LA    4,9
         SVC   43
SVCINT   L     5,X'88'
         AR    6,5
         CLI   X'8B',43
         BE    DONE
         LPSW  X'20'
         DS    0D
SVCNEW   DC    X'00080000',A(X'80000000'+SVCINT)
PROB     DC    X'00090000',A(X'80000000'+USER)
${EPILOGUE}
         END   T`);
  });

  it('storage keys: SSKE, ISKE, RRBE and key-controlled protection of a problem-state store', () => {
    equivalent(`${PROLOGUE}
         MVC   X'68'(8),PGMNEW
         L     2,=A(X'5000')
         LA    3,X'50'
         SSKE  3,2
         ISKE  4,2
         ST    4,X'500'
         RRBE  0,2
         IPM   5
         ST    5,X'504'
         LPSW  PROB
USER     L     2,=A(X'5000')
         MVI   0(2),X'AA'
         B     DONE
PGMINT   STM   0,15,X'400'
         B     DONE
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
PROB     DC    X'00390000',A(X'80000000'+USER)
${EPILOGUE}
         END   T`);
  });

  it('LPSW of an invalid PSW: specification exception with the PSW itself as old PSW and ILC 0', () => {
    equivalent(`${PROLOGUE}
         MVC   X'68'(8),PGMNEW
         LPSW  BADPSW
PGMINT   STM   0,15,X'400'
         B     DONE
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
BADPSW   DC    X'00000000',X'00001234'
${EPILOGUE}
         END   T`);
  });

  it('clock comparator: SCKC in the past, enabled wait, external interruption X1004', () => {
    equivalent(`${PROLOGUE}
         MVC   X'58'(8),EXTNEW
         LCTL  0,0,=X'00000800'
         SCKC  ZERO
         STCKC X'500'
         LPSW  WAITEXT
EXTINT   MVC   X'510'(4),X'84'
         B     DONE
         DS    0D
ZERO     DC    X'00000000',X'00000001'
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
WAITEXT  DC    X'010A0000',X'00000000'
${EPILOGUE}
         END   T`);
  });

  it('LRA against guest tables: valid page, invalid page (cc 2), beyond the segment table (cc 3)', () => {
    equivalent(`${PROLOGUE}
         LCTL  0,0,=X'00B00000'
         L     2,=A(X'9000')
         L     3,=A(X'A000')
         ST    3,0(2)
         L     3,=A(X'7000')
         L     4,=A(X'A000')
         L     3,=A(X'7000')
         ST    3,4(4)
         L     3,=X'00000400'
         ST    3,8(4)
         LCTL  1,1,=X'00009000'
         LRA   5,X'234'
         IPM   6
         L     7,=A(X'2000')
         LRA   7,0(7)
         IPM   8
         L     9,=A(X'01000000')
         LRA   9,0(9)
         IPM   10
         B     DONE
${EPILOGUE}
         END   T`);
  });

  it('DAT: a store through the guest’s tables, IPTE, then the page-translation exception with its TEA (shadow coherence)', () => {
    const r = equivalent(`${PROLOGUE}
         MVC   X'68'(8),PGMNEW
         LCTL  0,0,=X'00B00000'
         L     2,=A(X'9000')
         L     3,=A(X'A000')
         ST    3,0(2)
         L     4,=A(X'A000')
         LA    5,0
         LA    6,16
         L     7,=F'4096'
PT       ST    5,0(4)
         LA    4,4(4)
         AR    5,7
         BCT   6,PT
         L     4,=A(X'A000')
         L     3,=A(X'7000')
         ST    3,20(4)
         LCTL  1,1,=X'00009000'
         STOSM X'510',X'04'
         L     8,=A(X'5000')
         MVC   0(4,8),=C'SHAD'
         L     9,=A(X'A000')
         L     10,=A(X'5000')
         IPTE  9,10
         MVC   0(4,8),=C'GONE'
         B     DONE
PGMINT   MVC   X'520'(8),X'28'
         MVC   X'528'(4),X'8C'
         MVC   X'52C'(4),X'90'
         B     DONE
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
${EPILOGUE}
         END   T`);
    // Virtual X'5000' is real X'7000': the first MVC stored there; after IPTE the second one faults.
    expect([...r.cp.low.subarray(0x7000, 0x7004)]).toEqual([0xe2, 0xc8, 0xc1, 0xc4]);
    expect([...r.cp.low.subarray(0x528, 0x52c)]).toEqual([0, 6, 0, 0x11]);
    expect(r.cp.vm.counters.emulated.IPTE).toBe(1);
    expect(r.cp.vm.shadows[0]!.counters.fills).toBeGreaterThan(0);
    expect(r.sie.vm.counters.emulated.IPTE).toBeUndefined();
  });
});
