/**
 * Every device of this package keeps the `Device` contract that
 * `@strachey/io-channel/testing` checks (and other packages run on theirs).
 */
import { checkDeviceContract } from '@strachey/io-channel/testing';
import { describe, expect, it } from 'vitest';
import { CardPunch2540, CardReader2540, CkdVolume, Console3215, Dasd3390, Display3270, InternalLan, Printer1403, formatVolume, geometry3390, minidisk } from '../src/index';

describe('the Device contract', () => {
  const volume = (): CkdVolume => {
    const v = new CkdVolume(geometry3390(20));
    formatVolume(v, 'CONTR1');
    return v;
  };
  const lan = new InternalLan('FF');
  lan.port();
  const cases: [string, () => import('../src/index').Device][] = [
    ['3390', () => new Dasd3390(volume())],
    ['3390 minidisk', () => new Dasd3390(minidisk(volume(), 5, 10))],
    ['3215', () => new Console3215()],
    ['3270', () => new Display3270()],
    ['2540 reader', () => new CardReader2540(['ONE', 'TWO'])],
    ['2540 punch', () => new CardPunch2540()],
    ['1403', () => new Printer1403()],
    ['internal LAN port', () => lan.port()],
  ];
  for (const [name, make] of cases) {
    it(`${name} keeps it`, () => {
      expect(checkDeviceContract(make)).toEqual([]);
    });
  }

  it('finds the violations of a broken device', () => {
    const broken = {
      deviceType: 0x9999,
      deviceModel: 0,
      controlUnitType: 0x9999,
      controlUnitModel: 0,
      immediate: () => false,
      startProgram: () => {},
      reset: () => {},
      execute: (req: { command: number }) => {
        if (req.command === 0x02) throw new Error('boom');
        return { status: 0x08, serviceUs: Number.NaN };
      },
    };
    const v = checkDeviceContract(() => broken, { requests: 300 });
    expect(v.some((x) => x.includes('threw'))).toBe(true);
    expect(v.some((x) => x.includes('channel end + device end'))).toBe(true);
    expect(v.some((x) => x.includes('service time'))).toBe(true);
    expect(v.some((x) => x.includes('SENSE ID'))).toBe(true);
    expect(v.some((x) => x.includes('not rejected'))).toBe(true);
  });
});
