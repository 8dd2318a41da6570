import { describe, expect, it } from 'vitest';
import { runExample } from '../examples/stack';

describe('README example (examples/stack.ts)', () => {
  it('reaches the same machine address through the composed layers and through the shadow', () => {
    const r = runExample();
    expect(r.composed).toBe(256 * 1024 * 1024 + 32 * 1024 * 1024 + 0x123abc);
    expect(r.shadowed).toBe(r.composed);
    expect(r.references).toBe(2);
  });
});
