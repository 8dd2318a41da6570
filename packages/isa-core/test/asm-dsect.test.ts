import { describe, expect, it } from 'vitest';
import { assemble } from '@strachey/isa-core';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('DSECT: a layout of offsets addressed through a USING', () => {
  const source = [
    "T        START X'1000'",
    '         BALR  12,0',
    '         USING *,12',
    '         L     11,=A(BLOCK)',
    '         USING VMBLOK,11',
    '         L     1,VMCOUNT',
    "         MVC   VMNAME,=CL8'GUEST1'",
    '         LA    2,VMNAME-VMBLOK',
    '         DROP  11',
    'BLOCK    DS    0F',
    "         DC    XL16'00'",
    'VMBLOK   DSECT',
    'VMFLAGS  DS    F',
    'VMCOUNT  DS    F',
    'VMNAME   DS    CL8',
    "         DC    C'IGNORED'",
    'VMLEN    EQU   *-VMBLOK',
    'T        CSECT',
    '         LA    3,VMLEN',
    '         END',
  ].join('\n');
  const r = assemble(source);

  it('resolves DSECT fields through the register of their USING; the DSECT makes no object code', () => {
    expect(r.errors).toEqual([]);
    expect(r.chunks.map((c) => [c.address, hex(c.bytes)])).toEqual([
      [
        0x1000,
        '05C0' +
          '58B0C02E' + // L 11,=A(BLOCK): the pool at X'1028' holds =CL8 first, =A at X'1030'
          '5810B004' + // L 1,VMCOUNT: offset 4 from register 11
          'D207B008C026' + // MVC VMNAME(8),=CL8'GUEST1'
          '41200008' + // LA 2,VMNAME-VMBLOK: a difference within the DSECT is absolute
          '00000000000000000000000000000000' + // BLOCK
          '41300017' + // LA 3,VMLEN (23), after CSECT resumed the control section
          'C7E4C5E2E3F14040' +
          '00001014',
      ],
    ]);
  });

  it('gives DSECT symbols their offsets and names the DSECT', () => {
    const sym = (n: string) => r.symbols.find((s) => s.name === n);
    expect(sym('VMBLOK')).toMatchObject({ value: 0, relocatable: true, dsect: 'VMBLOK', type: 'J' });
    expect(sym('VMCOUNT')).toMatchObject({ value: 4, length: 4, relocatable: true, dsect: 'VMBLOK', type: 'F' });
    expect(sym('VMNAME')).toMatchObject({ value: 8, length: 8, dsect: 'VMBLOK' });
    expect(sym('VMLEN')).toMatchObject({ value: 23, relocatable: false, dsect: undefined });
    expect(sym('BLOCK')).toMatchObject({ value: 0x1014, dsect: undefined, relocatable: true });
    // The listing shows the DSECT's offsets and no object code for it.
    const dc = r.statements.find((s) => s.source.includes("C'IGNORED'"))!;
    expect(dc.loc).toBe(16);
    expect(dc.bytes.length).toBe(0);
  });

  it('addresses a low-core layout through USING on register 0 (base 0)', () => {
    const low = assemble(
      [
        "P        START X'200'",
        '         USING PSA,0',
        '         LPSW  PGMNPSW',
        '         MVC   RSTNPSW(8),PGMNPSW',
        'PSA      DSECT',
        'RSTNPSW  DS    XL8',
        "         ORG   PSA+X'68'",
        'PGMNPSW  DS    XL8',
        '         END',
      ].join('\n'),
    );
    expect(low.errors).toEqual([]);
    expect(hex(low.image)).toBe('82000068' + 'D20700000068');
  });

  it('reports DSECT misuse: no USING for its offsets, address constants and branches to it', () => {
    const bad = assemble(
      [
        'T        START 0',
        '         L     1,FIELD',
        '         DC    A(FIELD)',
        '         J     FIELD',
        '         DC    A(FIELD-T)',
        'D        DSECT',
        'FIELD    DS    F',
        '         LTORG',
        'T        CSECT',
        '         END',
      ].join('\n'),
    );
    expect(bad.errors.map((e) => [e.line, e.column, e.code, e.message])).toEqual([
      [2, 18, 'NO_USING', "no USING covers offset X'000000' of DSECT D"],
      [3, 18, 'RELOCATABILITY', 'address constant of a DSECT symbol'],
      [4, 16, 'RELOCATABILITY', 'branch target is in another section'],
      [5, 18, 'RELOCATABILITY', 'complex relocatable expression in an address constant'],
      [8, 10, 'DIRECTIVE', 'LTORG in a DSECT: literals belong to the control section'],
    ]);
  });
});
