import { createPrsm, type Prsm, parseIocp, parseProfiles, type PrsmResult } from '../src/index';

/** Unwrap a result in a test, failing with the formatted error. */
export function must<T>(r: PrsmResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} at ${r.error.file}:${r.error.line}:${r.error.column}`);
  return r.value;
}

/**
 * A channel program for a 1403 at X'10000': SENSE (1 byte into X'11000', SLI), then `nops`
 * command-chained NOPs, format-1 CCWs. The I/O guests of the io-timing test and the host-speed
 * bench restart it from their I/O interruption handler.
 */
export function senseThenNops(nops: number): Uint8Array {
  const n = nops + 1;
  const b = new Uint8Array(n * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    b[i * 8] = i === 0 ? 0x04 : 0x03;
    b[i * 8 + 1] = i === n - 1 ? 0x20 : 0x60;
    dv.setUint16(i * 8 + 2, 1);
    if (i === 0) dv.setUint32(i * 8 + 4, 0x11000);
  }
  return b;
}

/** A CPU-bound guest: counts in GR1 forever. */
export const SPIN = `
SPIN     START X'2000'
         BALR  12,0
         USING *,12
LOOP     LA    1,1(1)
         B     LOOP
         END   SPIN
`;

/** Four partitions sharing the physical CPs, a console each, one HiperSockets LAN. */
export function fourLpars(weights: readonly number[], opts: { cps?: number; lcps?: number; capped?: string[]; slice?: string; storage?: string } = {}): { iocp: string; profiles: string } {
  const names = ['LP1', 'LP2', 'LP3', 'LP4'];
  const iocp = `
         ID    SYSTEM=(2064,1)
         RESOURCE PARTITION=((CSS(0),(LP1,1),(LP2,2),(LP3,3),(LP4,4)))
         CHPID PATH=(CSS(0),10),TYPE=CNC,SHARED,
               PARTITION=((LP1,LP2,LP3,LP4))
         CHPID PATH=(CSS(0),FC),TYPE=IQD,SHARED,OS=00
         CNTLUNIT CUNUMBR=0001,PATH=((CSS(0),10)),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0001),UNIT=3215
         CNTLUNIT CUNUMBR=FC00,PATH=((CSS(0),FC)),UNIT=IQD
         IODEVICE ADDRESS=(2C00,4),CUNUMBR=FC00,UNIT=IQD
`;
  let profiles = `[CPC]\nstorage = 1G\ncps = ${opts.cps ?? 8}\nhsa = 64M\nslice = ${opts.slice ?? '200us'}\n`;
  names.forEach((n, i) => {
    profiles += `\n[${n}]\nstorage = ${opts.storage ?? '64M'}\nmode = ${i % 2 === 0 ? 'zone' : 'blocks'}\ncps = ${opts.lcps ?? 4}\nweight = ${weights[i] ?? 10}\ncapped = ${opts.capped?.includes(n) ? 'yes' : 'no'}\n`;
  });
  return { iocp, profiles };
}

export function machineFrom(text: { iocp: string; profiles: string }, extra: Partial<Parameters<typeof createPrsm>[0]> = {}): Prsm {
  const iocp = must(parseIocp(text.iocp, 'test.iocp'));
  const profiles = must(parseProfiles(text.profiles, 'test.profiles'));
  return must(createPrsm({ iocp, profiles, ...extra }));
}

/** An idle guest: loads an enabled wait PSW (external mask on, nothing will ever interrupt). */
export const IDLE = `
IDLE     START X'2000'
         BALR  12,0
         USING *,12
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'010A0000',X'80000000'
         END   IDLE
`;

/** Share of each partition in the guest cycles between two counter readings. */
export function shares(m: Prsm, before: ReturnType<Prsm['counters']>, names: readonly string[]): Record<string, number> {
  const after = m.counters();
  const used: Record<string, number> = {};
  let total = 0;
  for (const n of names) {
    used[n] = after.partitions[n]!.cycles - before.partitions[n]!.cycles;
    total += used[n]!;
  }
  const out: Record<string, number> = {};
  for (const n of names) out[n] = used[n]! / total;
  return out;
}

/** Physical CPs' worth of capacity a partition used between two readings. */
export function cpsUsed(m: Prsm, before: ReturnType<Prsm['counters']>, name: string): number {
  const after = m.counters();
  return (after.partitions[name]!.cycles - before.partitions[name]!.cycles) / (after.time - before.time);
}
