import { describe, expect, it } from 'vitest';
import { hello } from '../examples/hello';

describe('the README example', () => {
  it('the guest asks CP for the time with DIAGNOSE X008 and gets CP’s response on its console', () => {
    const { vm } = hello();
    expect(vm.consoleLines[0]).toMatch(/^TIME IS \d\d:\d\d:\d\d UTC$/);
    expect(vm.consoleLines[1]).toMatch(/^CONNECT= 00:00:00 VIRTCPU= \d+\.\d\d SEC$/);
    expect(vm.counters.emulated['DIAG 008']).toBe(1);
    expect(vm.runState()).toBe('disabled-wait');
  });
});
