/**
 * The benchmark programs, as bytes, identical for isa-core and Hercules.
 * Both start from the restart new PSW at real 0 (31-bit, DAT off), run a loop
 * whose count is the word at X'300', and end with LPSW of the disabled-wait
 * PSW at X'308'.
 */

export interface BenchProgram {
  readonly name: string;
  readonly description: string;
  /** address → hex bytes */
  readonly pokes: readonly (readonly [number, string])[];
  /** Instructions executed per loop iteration. */
  readonly perIteration: number;
  /** Address of the loop's first instruction and the register holding the count. */
  readonly loop: number;
  readonly countRegister: number;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** AR 1,3 / BCT 2,loop — the speed anchor of hercules-oracle.md. */
export function bctLoop(iterations: number): BenchProgram {
  return {
    name: 'bct-loop',
    description: 'L 2,X300 ; loop: AR 1,3 ; BCT 2,loop ; LPSW X308',
    pokes: [
      [0x0, '0008000080000200'],
      [0x200, '582003001A13462002048200030800000000'],
      [0x300, `${hex8(iterations)}00000000000A000000000000`],
    ],
    perIteration: 2,
    loop: 0x204,
    countRegister: 2,
  };
}

/**
 * A mix of loads/stores, arithmetic, logic, shifts, halfword and byte
 * accesses, two SS instructions (MVC, CLC) and branches: 17 instructions per
 * iteration, data addressed through base register 10 = X'1000'.
 */
export function instructionMix(iterations: number): BenchProgram {
  const loop = [
    '5840A000', // L     4,0(0,10)
    '5A40A004', // A     4,4(0,10)
    '5040A008', // ST    4,8(0,10)
    '1854', //     LR    5,4
    '89500002', // SLL   5,2
    'A75A0001', // AHI   5,1
    '5450A00C', // N     5,12(0,10)
    '4050A014', // STH   5,20(0,10)
    '4860A014', // LH    6,20(0,10)
    'D20FA020A000', // MVC 32(16,10),0(10)
    'D50FA020A000', // CLC 32(16,10),0(10)
    'A7740004', // BRC   7,*+8 (BNE: not taken, the fields are equal)
    '41770001', // LA    7,1(7)
    '1965', //     CR    6,5
    '4380A003', // IC    8,3(0,10)
    '4280A018', // STC   8,24(0,10)
    '46200400', // BCT   2,X400
  ].join('');
  return {
    name: 'instruction-mix',
    description: 'L A ST LR SLL AHI N STH LH MVC CLC BRC LA CR IC STC BCT over a data area',
    pokes: [
      [0x0, '0008000080000200'],
      // L 2,X300 ; L 10,X304 ; B X400
      [0x200, '58200300 58A00304 47F00400'.replace(/ /g, '')],
      [0x300, `${hex8(iterations)}00001000000A000000000000`],
      [0x400, `${loop}82000308`],
      [0x1000, '0000000100000002000000000000FFFF'],
    ],
    perIteration: 17,
    loop: 0x400,
    countRegister: 2,
  };
}
