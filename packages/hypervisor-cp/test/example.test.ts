import { describe, expect, it } from 'vitest';
import { hello } from '../examples/hello';

describe('the README example', () => {
  it('the guest asks CP for the time with DIAGNOSE X008 and gets CP’s response on its console', () => {
    const { vm } = hello();
    // z/VM's format: the date after the time; connect time since LOGON, the guest's CPU time and CP's with it.
    expect(vm.consoleLines[0]).toBe('TIME IS 00:00:00 UTC MONDAY 01/01/00');
    expect(vm.consoleLines[1]).toMatch(/^CONNECT= 00:00:00 VIRTCPU= 000:00\.\d\d TOTCPU= 000:00\.\d\d$/);
    expect(vm.counters.emulated['DIAG 008']).toBe(1);
    expect(vm.runState()).toBe('disabled-wait');
  });
});
