import { describe, expect, it } from 'vitest';
import { formatPrsmError, parseIocp } from '../src/index';
import { must } from './fixtures';

/** mainframe-facts §6.1 example 2 (z/OS Communications Server: HiperSockets). */
const HIPERSOCKETS = `
 ID SYSTEM=(2064,1)
 RESOURCE PARTITION=((LPA,1),(LPB,2))
 CHPID PATH=FC,TYPE=IQD,SHARED,OS=00
 CHPID PATH=FD,TYPE=IQD,SHARED,OS=40
 CNTLUNIT  CUNUMBR=FC00,PATH=FC,UNIT=IQD
 IODEVICE  ADDRESS=(2C00,16),CUNUMBR=FC00,UNIT=IQD
`;

/** Fixed-format continuation: a non-blank column 72 continues on column 16 of the next line. */
function fixed(first: string, cont: string): string {
  return `${first.padEnd(71)}X\n${' '.repeat(15)}${cont}\n`;
}

describe('IOCP deck', () => {
  it('reads the HiperSockets example with MIF image IDs, OS= and device ranges', () => {
    const deck = must(parseIocp(HIPERSOCKETS, 'hs.iocp'));
    expect(deck.system).toBe('(2064,1)');
    expect(deck.partitions.map((p) => [p.name, p.mifId])).toEqual([['LPA', 1], ['LPB', 2]]);
    expect(deck.chpids.map((c) => [c.chpid, c.type, c.shared, c.extra.OS])).toEqual([[0xfc, 'IQD', true, '00'], [0xfd, 'IQD', true, '40']]);
    // No PARTITION=: a shared path is online to every partition of its CSS.
    expect(deck.chpids[0]!.access).toEqual(['LPA', 'LPB']);
    expect(deck.devices[0]).toMatchObject({ address: 0x2c00, count: 16, unit: 'IQD', controlUnits: [0xfc00] });
  });

  it('reads the LCSS forms and access/candidate lists, with column-72 continuations', () => {
    const text =
      '         RESOURCE PARTITION=((CSS(0),(LP1,1),(LP2,2),(LP3,3)))\n' +
      fixed('         CHPID PATH=(CSS(0),40),TYPE=FC,SHARED,', 'PARTITION=((CSS(0),(LP1),(LP2,LP3)))') +
      '         CHPID PATH=(CSS(0),41),TYPE=OSD,PARTITION=(LP2)\n' +
      fixed('         CNTLUNIT CUNUMBR=0100,', 'PATH=((CSS(0),40)),UNIT=2105,UNITADD=((00,16))') +
      '* a comment line\n' +
      '         IODEVICE ADDRESS=(0190,4),CUNUMBR=(0100),UNIT=3390   remark text\n';
    const deck = must(parseIocp(text, 'lcss.iocp'));
    expect(deck.chpids[0]).toMatchObject({ chpid: 0x40, css: 0, access: ['LP1'], candidate: ['LP1', 'LP2', 'LP3'] });
    expect(deck.chpids[1]).toMatchObject({ chpid: 0x41, type: 'OSD', shared: false, access: ['LP2'] });
    expect(deck.controlUnits[0]).toMatchObject({ number: 0x100, chpids: [0x40], unit: '2105' });
    expect(deck.devices[0]).toMatchObject({ address: 0x190, count: 4 });
  });

  it('allows the same device number in different partitions (z9 planning guide example 1)', () => {
    const text = `
 RESOURCE PARTITION=((A,1),(B,2))
 CHPID    PATH=(10),PARTITION=(A),TYPE=CNC
 CHPID    PATH=(14),PARTITION=(A),TYPE=CNC
 CNTLUNIT CUNUMBR=0001,PATH=(10,14),UNITADD=((10)),UNIT=3215
 IODEVICE ADDRESS=(110),CUNUMBR=(0001),UNIT=3215
 CHPID    PATH=(18),PARTITION=(B),TYPE=CNC
 CNTLUNIT CUNUMBR=0002,PATH=(18),UNITADD=((10)),UNIT=3215
 IODEVICE ADDRESS=(110),CUNUMBR=(0002),UNIT=3215
`;
    const deck = must(parseIocp(text));
    expect(deck.devices).toHaveLength(2);
    const dup = parseIocp(`${text} IODEVICE ADDRESS=(110),CUNUMBR=(0002),UNIT=3215\n`, 'dup.iocp');
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect([dup.error.code, dup.error.line, dup.error.column]).toEqual(['DUPLICATE', 10, 20]);
  });

  const errors: [string, string, string, number, number, string | undefined][] = [
    ['unknown statement', ' RESOURCE PARTITION=((A,1))\n CHPIDS PATH=(10)\n', 'UNKNOWN_STATEMENT', 2, 2, 'CHPIDS'],
    ['undefined partition', ' RESOURCE PARTITION=((A,1))\n CHPID PATH=(10),TYPE=CNC,PARTITION=(B)\n', 'UNDEFINED_PARTITION', 2, 37, 'B'],
    ['bad type', ' RESOURCE PARTITION=((A,1))\n CHPID PATH=(10),TYPE=XYZ\n', 'BAD_VALUE', 2, 23, 'XYZ'],
    ['missing TYPE', ' RESOURCE PARTITION=((A,1))\n CHPID PATH=(10)\n', 'MISSING_OPERAND', 2, 2, 'no such operand'],
    ['not hex', ' RESOURCE PARTITION=((A,1))\n CHPID PATH=(1G),TYPE=CNC\n', 'BAD_VALUE', 2, 14, '1G'],
    ['undefined CHPID', ' RESOURCE PARTITION=((A,1))\n CNTLUNIT CUNUMBR=1,PATH=(20),UNIT=3990\n', 'UNDEFINED_CHPID', 2, 27, '20'],
    ['unshared with two', ' RESOURCE PARTITION=((A,1),(B,2))\n CHPID PATH=(10),TYPE=CNC,PARTITION=(A,B)\n', 'NOT_SHARED', 2, 27, 'A,B'],
    ['unbalanced', ' RESOURCE PARTITION=((A,1)\n', 'SYNTAX', 1, 27, 'end of statement'],
    ['unknown unit', ' RESOURCE PARTITION=((A,1))\n CHPID PATH=(10),TYPE=CNC,PARTITION=(A)\n CNTLUNIT CUNUMBR=1,PATH=(10),UNIT=3480\n IODEVICE ADDRESS=(480),CUNUMBR=1,UNIT=3480\n', 'UNSUPPORTED_UNIT', 4, 40, '3480'],
    ['duplicate MIF id', ' RESOURCE PARTITION=((A,1),(B,1))\n', 'DUPLICATE', 1, 31, undefined],
  ];
  for (const [what, text, code, line, column, found] of errors) {
    it(`reports ${what} at file:line:column`, () => {
      const r = parseIocp(text, 'bad.iocp');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect({ code: r.error.code, line: r.error.line, column: r.error.column, found: r.error.found }).toEqual({ code, line, column, found });
      expect(formatPrsmError(r.error)).toMatch(new RegExp(`^bad\\.iocp:${line}:${column}: error ${code}: `));
    });
  }

  it('refuses a 17th HiperSockets LAN', () => {
    let text = ' RESOURCE PARTITION=((A,1))\n';
    for (let i = 0; i < 17; i++) text += ` CHPID PATH=(${(0xe0 + i).toString(16)}),TYPE=IQD,SHARED\n`;
    const r = parseIocp(text, 'many.iocp');
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.code, r.error.line]).toEqual(['TOO_MANY', 18]);
  });

  it('reports a continuation that runs off the end of the deck', () => {
    const r = parseIocp(' RESOURCE PARTITION=((A,1)),\n', 'cut.iocp');
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.code, r.error.line, r.error.expected, r.error.found]).toEqual(['SYNTAX', 1, 'a continuation line', 'end of file']);
  });
});
