/**
 * Device events reach a partition's guest when they would reach the same guest on a bare isa-core
 * machine: a logical CP's chunk ends at the machine clock's next event, as the bare machine's
 * quantum does, so the event fires at the first instruction boundary at or after its time and the
 * I/O interruption comes between the same two instructions. (Before, a chunk ran on to at least
 * `chunkInstructions` past the event: with an event every ~190 instructions the guest saw them up
 * to 250 instructions late and completed fewer channel programs per instruction than bare.)
 */
import { type AbsoluteAddress, assemble } from '@strachey/isa-core';
import { createChannelMachine, Printer1403 } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machineFrom, must, senseThenNops } from './fixtures';

/**
 * A loop counting in GR7, while a channel program (SENSE, then NOPs) runs on subchannel 0 again
 * and again: each I/O interruption takes TSCH, records GR7 and the I/O old PSW's instruction
 * address (where the loop was interrupted) in TABLE for the first RECORDS of them, and starts the
 * channel program again.
 */
const RECORDS = 48;
const GUEST = `
IOTIME   START X'2000'
         BALR  12,0
         USING *,12
         MVC   120(8,0),IONEW
         LCTL  6,6,CR6
         L     1,SCHID
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SSCH  ORB
         SSM   IOMASK
AGAIN    LA    7,1(7)
         L     2,WORD
         AR    2,7
         ST    2,WORD
         B     AGAIN
IOINT    STM   0,15,SAVE
         L     1,SCHID
         TSCH  IRB
         L     5,DONE
         LA    5,1(5)
         ST    5,DONE
         C     5,MAXREC
         BH    RESTART
         SLL   5,3
         LA    6,TABLE-8
         ST    7,0(5,6)
         L     8,60(0,0)
         ST    8,4(5,6)
RESTART  SSCH  ORB
         LM    0,15,SAVE
         LPSW  56(0)
         DS    0D
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
ORB      DC    F'1',X'00808000',A(X'10000')
SCHID    DC    X'00010000'
CR6      DC    X'FF000000'
WORD     DC    F'0'
DONE     DC    F'0'
MAXREC   DC    F'${RECORDS}'
IOMASK   DC    X'02'
         DS    0F
SAVE     DS    16F
SCHIB    DS    XL52
IRB      DS    XL96
TABLE    DS    ${RECORDS * 2}F
         END   IOTIME
`;
const asm = assemble(GUEST);
const at = (name: string): AbsoluteAddress =>
  asm.symbols.find((s) => s.name === name)!.value as AbsoluteAddress;

interface Seen {
  readonly done: number;
  /** Per recorded interruption: GR7 and the interrupted instruction's address. */
  readonly table: readonly number[];
}

function read(storage: { read32(a: AbsoluteAddress): number }, done: number): Seen {
  const table: number[] = [];
  for (let i = 0; i < Math.min(done, RECORDS) * 2; i++)
    table.push(storage.read32((at('TABLE') + 4 * i) as AbsoluteAddress));
  return { done, table };
}

/** The guest on a bare isa-core machine with a 1403 at 00E0, until it has executed `instructions`. */
function bare(nops: number, instructions: number): Seen {
  // One round per device event: a quantum of 1000 would also end rounds in between, and a round's
  // end moves the time the channel subsystem counts a later SSCH's latency from (the clock, which
  // stands at the round's start while the CPU runs ahead). The partition's chunks end at events too.
  const { machine, channels } = createChannelMachine({ mainsize: 16 << 20, quantum: 1 << 30 });
  channels.attach(0x00e0, new Printer1403(), { chpids: [0x20] });
  for (const c of asm.chunks) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  machine.storage.writeFrom(0x10000 as AbsoluteAddress, senseThenNops(nops));
  machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x20, 0]));
  machine.restart(0);
  machine.run(instructions);
  return read(machine.storage, machine.storage.read32(at('DONE')));
}

/** The same guest in partition LP1 (its own 1403 at 00E0), until it has executed `instructions`. */
function lpar(nops: number, instructions: number, dedicated: boolean): Seen {
  const iocp = ` RESOURCE PARTITION=((CSS(0),(LP1,1)))
 CHPID PATH=(CSS(0),20),TYPE=CNC,PARTITION=(LP1)
 CNTLUNIT CUNUMBR=0100,PATH=((CSS(0),20)),UNIT=2821
 IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0100),UNIT=1403,PARTITION=(LP1)
`;
  const profiles = `[CPC]\nstorage = 256M\ncps = 1\nslice = 12.5ms\n[LP1]\nstorage = 16M\ncps = 1\ndedicated = ${dedicated ? 'yes' : 'no'}\n`;
  const m = machineFrom({ iocp, profiles });
  must(m.activate('LP1'));
  must(m.ipl('LP1', { source: GUEST }));
  const storage = m.partitionStorage('LP1')!;
  storage.writeFrom(0x10000 as AbsoluteAddress, senseThenNops(nops));
  const cpu = m.logicalCps('LP1')[0]!.cpu;
  // In steps of 1 ms of simulated time (some 350 000 instructions): the dedicated CP's chunks end at
  // device events and at the steps' ends.
  while (cpu.instructions < instructions) m.run({ ms: 1 });
  return read(storage, storage.read32(at('DONE')));
}

/**
 * The records both saw (the partition runs in steps of 1 ms, so it usually ran further), less the
 * last: a run may end inside the handler, after it counted DONE and before it wrote the record.
 */
const common = (a: Seen, b: Seen): [number[], number[]] => {
  const n = Math.min(a.table.length, b.table.length) - 2;
  return [a.table.slice(0, n), b.table.slice(0, n)];
};

describe('device events in a partition', () => {
  it('interrupt the guest between the same two instructions as on a bare machine (dedicated CP)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (nops) => {
        const [inLpar, onBare] = common(lpar(nops, 40_000, true), bare(nops, 40_000));
        expect(onBare.length).toBeGreaterThanOrEqual(4);
        expect(inLpar).toEqual(onBare);
      }),
      { numRuns: 12, seed: 390 },
    );
  });

  it('complete as many channel programs per guest instruction as on a bare machine (shared CP)', () => {
    // 40 NOPs: an event every ~190 guest instructions, fewer than the 250 a chunk ran at least before
    // chunks ended at events. The first dispatch's firmware path moves the physical CP's time but not
    // the clock, which the first SSCH counts its latency from, so the first channel program ends a few
    // instructions early; from then on the same loop iterations between interruptions as bare.
    const [inLpar, onBare] = common(lpar(40, 200_000, false), bare(40, 200_000));
    expect(onBare.length).toBeGreaterThanOrEqual(2 * 20);
    const gaps = (t: readonly number[]) =>
      t
        .filter((_, i) => i % 2 === 0)
        .map((v, i, a) => v - (a[i - 1] ?? v))
        .slice(2);
    expect(gaps(inLpar)).toEqual(gaps(onBare));
  });
});
