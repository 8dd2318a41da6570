/**
 * The batch runner's completion check on hand-made command outputs (the
 * situations were all seen in real logs; see README "Limits").
 */
import { describe, expect, it } from 'vitest';
import { type CommandOutput, endsInWait, type HerculesMessage } from '../src/index';

const psw = (hex: string): CommandOutput => ({
  text: 'psw',
  scriptLine: 1,
  items: [{ kind: 'psw', high: Number.parseInt(hex.slice(0, 8), 16), low: Number.parseInt(hex.slice(8), 16), hex, fields: null }],
  messages: [],
});
const waitMessage = (high: number, low: number): HerculesMessage => ({
  kind: 'message',
  id: 'HHCCP011I',
  severity: 'I',
  text: 'CPU0000: Disabled wait state',
  lines: [],
  cpu: 0,
  programCheck: null,
  stopPsw: [high, low],
});
const sleep = (messages: HerculesMessage[]): CommandOutput => ({ text: 'sh sleep 0.02', scriptLine: 1, items: [], messages });

describe('endsInWait', () => {
  it('accepts a disabled wait PSW that the wait message confirms', () => {
    expect(endsInWait([sleep([waitMessage(0x000a0000, 0xaaaa)]), psw('000A00000000AAAA')])).toBe(true);
  });
  it('rejects a PSW caught half-loaded (wait bit on, old address) or without its message', () => {
    expect(endsInWait([sleep([waitMessage(0x000a0000, 0xeee0)]), psw('000A100000000220')])).toBe(false);
    expect(endsInWait([sleep([]), psw('000A00000000AAAA')])).toBe(false);
  });
  it('accepts an enabled wait, which prints no message, and rejects a running CPU', () => {
    expect(endsInWait([psw('030A000000001000')])).toBe(true);
    expect(endsInWait([psw('0008000000000200')])).toBe(false);
  });
  it('looks only at displays under an echoed psw command', () => {
    const misplaced = { ...psw('000A00000000AAAA'), text: 'sh sleep 0.02' };
    expect(endsInWait([sleep([waitMessage(0x000a0000, 0xaaaa)]), misplaced])).toBe(false);
  });
});
