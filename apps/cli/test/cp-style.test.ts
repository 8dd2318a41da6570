/**
 * `strachey cp --style`: the execution style of users whose directory entry
 * names none, and a located refusal of anything but the two styles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCp } from '../src/commands/cp';
import { UserError } from '../src/diagnostics';
import { sampleDirectory, writeSampleVolumes } from './fixtures/cp/volumes';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function volumes(): string {
  const d = mkdtempSync(join(tmpdir(), 'strachey-cp-style-'));
  dirs.push(d);
  writeSampleVolumes(d);
  return d;
}

describe('strachey cp --style', () => {
  it('gives users without OPTION SIE / TRAPEMULATE the chosen style', () => {
    for (const style of ['sie', 'trap-and-emulate'] as const) {
      const { cp } = startCp({ directory: sampleDirectory, volumes: volumes(), style });
      const r = cp.logon('CMSUSER', 'CMSPW');
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.vm.style).toBe(style);
    }
  });

  it('defaults to trap-and-emulate, as CP has always run guests', () => {
    const { cp } = startCp({ directory: sampleDirectory, volumes: volumes() });
    const r = cp.logon('BOB', 'BOBPW');
    expect(r.ok && r.vm.style).toBe('trap-and-emulate');
  });

  it('refuses another style with what it expected and what it found', () => {
    let error: unknown;
    try {
      startCp({ directory: sampleDirectory, volumes: volumes(), style: 'vmx' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect(String((error as Error).message)).toMatch(/--style: expected sie or trap-and-emulate, found 'vmx'/);
  });
});
