/**
 * The program exceptions isa-core's SIE always intercepts (code X'08'),
 * whatever the interception controls say, as Hercules 3.13 does:
 * addressing, specification, special operation and (without the
 * protection-interception control, which CP does not set) protection. CP
 * reflects each to the guest, so a guest under SIE sees exactly what it sees
 * on a bare machine and under trap-and-emulate: each guest below raises one
 * exception, its program handler copies the program old PSW, the
 * interruption code with its ILC and the TEA to X'400' and waits; the three
 * runs must end with the same registers, PSW and first 32 KB of storage, and
 * the code and ILC the architecture defines (POP "Program-Interruption
 * Conditions") are checked in the guest's low storage.
 */
import { describe, expect, it } from 'vitest';
import { equivalent } from './equivalence-rig';

/** Bare, trap-and-emulate and SIE agree, and both CP runs end in the guest's disabled wait; the SIE run's VM for its counters. */
function sameEverywhere(source: string) {
  const r = equivalent(source);
  for (const c of [r.cp, r.sie]) expect(c.vm.runState()).toBe('disabled-wait');
  return { bare: r.bare, sie: r.sie.vm };
}

const word = (low: Uint8Array, a: number): number =>
  ((low[a]! << 24) | (low[a + 1]! << 16) | (low[a + 2]! << 8) | low[a + 3]!) >>> 0;

/**
 * A guest at X'1000' that points its program new PSW at PGMH, runs `body`
 * (GR9 = 1 only if it comes back past it), and whose handler saves the old
 * PSW at X'400', the interruption identification (ILC, code) at X'408' and
 * the TEA at X'40C', then waits. `data` goes after the handler, doubleword
 * aligned.
 */
function guest(body: string, data = ''): string {
  return `
G        START X'1000'
         BALR  12,0
         USING *,12
         MVC   X'68'(8),PGMNEW
         SR    9,9${body}
         LA    9,1
         LPSW  WAIT
PGMH     MVC   X'400'(8),X'28'
         MVC   X'408'(4),X'8C'
         MVC   X'40C'(4),X'90'
         LPSW  WAIT
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGMH)
WAIT     DC    X'000A0000',X'00000000'
${data}
         LTORG
         END   G`;
}

/** The interruption identification a case expects at X'408': ILC in bytes (byte 1) and the code. */
const id = (ilcBytes: number, code: number): number => ((ilcBytes << 16) | code) >>> 0;

describe('mandatory SIE interceptions reflected by CP: bare, trap-and-emulate and SIE agree', () => {
  it('specification, odd register pair (DR with R1 odd): code 6, ILC 2, old PSW past the DR', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(`
         LA    3,7
         LA    5,2
         DR    3,5`),
    );
    expect(word(b.low, 0x408)).toBe(id(2, 6));
    // Suppressed: the old PSW points just past the DR (X'1D35').
    const past = word(b.low, 0x404) & 0x7fffffff;
    expect((b.low[past - 2]! << 8) | b.low[past - 1]!).toBe(0x1d35);
    expect(b.gpr[9]).toBe(0);
    expect(sie.counters.reflectedProgram['0006']).toBe(1);
  });

  it('specification, LPSW operand not on a doubleword boundary: code 6, ILC 4', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(`
         L     3,=A(X'2004')
         LPSW  0(3)`),
    );
    expect(word(b.low, 0x408)).toBe(id(4, 6));
    expect(sie.counters.reflectedProgram['0006']).toBe(1);
  });

  it('specification, LPSW of a PSW with bits 24-31 on: early exception, the old PSW is that PSW, ILC 0', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(
        `
         LPSW  BADPSW`,
        `BADPSW   DC    X'00080012',X'80001200'`,
      ),
    );
    expect(word(b.low, 0x408)).toBe(id(0, 6));
    expect([word(b.low, 0x400), word(b.low, 0x404)]).toEqual([0x00080012, 0x80001200]);
    expect(sie.counters.reflectedProgram['0006']).toBe(1);
  });

  it('specification, LPSW of a PSW with an odd instruction address: recognized at the fetch', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(
        `
         LPSW  ODDPSW`,
        `ODDPSW   DC    X'00080000',X'80001201'`,
      ),
    );
    expect(word(b.low, 0x408) & 0xffff).toBe(6);
    expect(word(b.low, 0x404)).toBe(0x80001205);
    expect(sie.counters.reflectedProgram['0006']).toBe(1);
  });

  it('special operation, SAC with DAT off: code X’13’, ILC 4', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(`
         SAC   0`),
    );
    expect(word(b.low, 0x408)).toBe(id(4, 0x13));
    expect(sie.counters.reflectedProgram['0013']).toBe(1);
  });

  it('special operation, SSM under the SSM-suppression control (CR0 bit 1): code X’13’, ILC 4', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(
        `
         LCTL  0,0,CR0
         SSM   MASK`,
        `CR0      DC    X'400000E0'
MASK     DC    X'00'`,
      ),
    );
    expect(word(b.low, 0x408)).toBe(id(4, 0x13));
    expect(sie.counters.reflectedProgram['0013']).toBe(1);
  });

  it('protection, a store under PSW key 5 into a page of key 3: code 4, ILC 4, TEA the page', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(
        `
         L     2,=A(X'3000')
         LA    4,X'30'
         SSKE  4,2
         LPSW  KEY5
NEXT     ST    4,0(2)`,
        `KEY5     DC    X'00580000',A(X'80000000'+NEXT)`,
      ),
    );
    expect(word(b.low, 0x408)).toBe(id(4, 4));
    expect(word(b.low, 0x40c) & 0x7ffff000).toBe(0x3000);
    expect(b.low[0x3000]).toBe(0);
    expect(sie.counters.reflectedProgram['0004']).toBe(1);
  });

  it('protection, a store at X’100’ under low-address protection (CR0 bit 3): code 4, ILC 4', () => {
    const { bare: b, sie } = sameEverywhere(
      guest(
        `
         LCTL  0,0,CR0
         LA    3,X'100'
         ST    3,0(3)`,
        `CR0      DC    X'100000E0'`,
      ),
    );
    expect(word(b.low, 0x408)).toBe(id(4, 4));
    expect(word(b.low, 0x100)).toBe(0);
    expect(sie.counters.reflectedProgram['0004']).toBe(1);
  });
});
