/**
 * Popek–Goldberg equivalence, instruction by instruction: small
 * supervisor-state programs that exercise the sensitive instructions run on
 * a bare isa-core machine and in a CP virtual machine; registers, PSW and
 * the first pages of storage must end up identical. What differs on
 * purpose (STIDP's version code X'FF', DIAGNOSE) is tested apart.
 */
import { describe, expect, it } from 'vitest';
import { COMPARE, cpRun, equivalent } from './equivalence-rig';
import { diagnoseUnderExecute } from './rig';


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

describe('EXECUTE of a privileged instruction (POP "EXECUTE": the exception is the EX’s, ILC 2)', () => {
  it('EX of STOSM, LCTL (R1 OR-ed into the second byte), SSM, STNSM, LPSW and of an LCTL that fails: bare, trap-and-emulate and SIE agree', () => {
    const r = equivalent(`${PROLOGUE}
         MVC   X'68'(8),PGMNEW
         LA    3,X'03'
         EX    3,STOSMI
         LA    2,X'34'
         EX    2,LCTLI
         STCTL 3,4,X'520'
         EX    0,STNSMI
         EX    0,SSMI
         EX    0,LCTLBAD
         LA    9,1(9)
         EX    0,LPSWI
         B     DONE
CONT     LA    8,1(8)
         B     DONE
PGMINT   MVC   X'400'(8),X'28'
         MVC   X'408'(4),X'8C'
         LPSW  X'28'
STOSMI   STOSM X'510',X'00'
LCTLI    LCTL  0,0,CRS
SSMI     SSM   MASK
STNSMI   STNSM X'511',X'FF'
LCTLBAD  LCTL  0,0,CRS+2
LPSWI    LPSW  CONTPSW
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
CONTPSW  DC    X'00080000',A(X'80000000'+CONT)
MASK     DC    X'00'
         DS    0F
CRS      DC    X'11111111',X'22222222'
${EPILOGUE}
         END   T`);
    // STOSM stored the mask before OR-ing in the I2 the EX supplied (X'03'); STNSM then stored X'03'.
    expect([...r.cp.low.subarray(0x510, 0x512)]).toEqual([0x00, 0x03]);
    // LCTL 0,0 became LCTL 3,4.
    expect([...r.cp.low.subarray(0x520, 0x528)]).toEqual([0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22]);
    // The failing LCTL: specification exception, ILC 2 (the EX's), old PSW just past the EX (suppression).
    expect([...r.cp.low.subarray(0x408, 0x40c)]).toEqual([0, 4, 0, 6]);
    const oldIa =
      ((r.cp.low[0x404]! << 24) | (r.cp.low[0x405]! << 16) | (r.cp.low[0x406]! << 8) | r.cp.low[0x407]!) &
      0x7fffffff;
    expect(r.cp.low[oldIa - 4]).toBe(0x44);
    expect([r.cp.gpr[8], r.cp.gpr[9]]).toEqual([1, 1]);
    // Emulated as the targets, not as EX (trap-and-emulate; LPSW also returns from the handler and loads the end wait).
    expect(r.cp.vm.counters.emulated).toMatchObject({ STOSM: 1, LCTL: 2, SSM: 1, STNSM: 1, LPSW: 3 });
    expect(r.cp.vm.counters.emulated.EX).toBeUndefined();
    expect(r.cp.vm.counters.reflectedProgram['0006']).toBe(1);
  });

  it('EX of DIAGNOSE X’008’: trap-and-emulate answers it as SIE does and reflects its addressing exception past the EX with ILC 2', () => {
    const source = `${PROLOGUE}${diagnoseUnderExecute('B     DONE')}
CMD      DC    C'QUERY TIME'
         LTORG
${EPILOGUE}
         END   T`;
    const [te, sie] = (['trap-and-emulate', 'sie'] as const).map((style) => cpRun(source, style)) as [
      ReturnType<typeof cpRun>,
      ReturnType<typeof cpRun>,
    ];
    for (const c of [te, sie]) {
      expect(c.result.reason).toBe('idle');
      // Two answers of QUERY TIME (each a line and its echo or reply), the third DIAGNOSE an addressing exception.
      expect(c.vm.consoleLines.length).toBe(4);
      expect(c.vm.counters.emulated['DIAG 008']).toBe(3);
      expect([c.gpr[8], c.gpr[9]]).toEqual([1, 1]);
      expect([...c.low.subarray(0x404, 0x408)]).toEqual([0, 4, 0, 5]);
      const oldIa =
        ((c.low[0x40c]! << 24) | (c.low[0x40d]! << 16) | (c.low[0x40e]! << 8) | c.low[0x40f]!) & 0x7fffffff;
      expect(c.low[oldIa - 4]).toBe(0x44);
    }
    expect(te.psw).toEqual(sie.psw);
    expect(te.gpr).toEqual(sie.gpr);
    const differing: number[] = [];
    for (let i = 0; i < COMPARE; i++) if (te.low[i] !== sie.low[i]) differing.push(i);
    expect(differing).toEqual([]);
  });
});
