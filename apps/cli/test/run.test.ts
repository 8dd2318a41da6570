/**
 * `strachey run`: a Hercules-style console script on the ESA/390 machine,
 * its displays, its JSON final state, its errors and its status line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMainsize, type RunIo, runRun } from '../src/commands/run';

// hercules-oracle.md: LA 1,5 / LA 2,7 / AR 1,2 / LPSW X'300' (a disabled wait).
const SAMPLE = 'r 0=0008000000000200\nr 200=41100005412000071A1282000300\nr 300=000A000000000000\nrestart\npause 1\ngpr\npsw\nquit\n';
// BRC 15,* : runs until the budget ends.
const LOOP = 'r 0=0008000000000200\nr 200=A7F40000\nrestart\npause 1\n';

function capture(tty = false): RunIo & { out: string; err: string; status: { isTTY: boolean; columns: number; text: string; write(t: string): void } } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    status: {
      isTTY: tty,
      columns: 80,
      text: '',
      write(t: string) {
        io.status.text += t;
      },
    },
  };
  return io;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strachey-cli-run-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const script = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('strachey run', () => {
  it('prints what the commands print, in Hercules layouts', () => {
    const io = capture();
    expect(runRun({ script: script('sample.rc', SAMPLE) }, io)).toBe(0);
    const lines = io.out.trimEnd().split('\n');
    expect(lines).toContain('GR00=00000000  GR01=0000000C  GR02=00000007  GR03=00000000');
    expect(lines).toContain('psw sm=00 pk=0 cmwp=A as=pri cc=0 pm=0 am=24 ia=0');
    expect(lines).toContain('PSW=000A0000 00000000');
    expect(lines[0]).toBe('R:00000000:K:06=00080000 00000200 00000000 00000000  ................');
  });

  it('--json prints the final state only', () => {
    const io = capture();
    expect(runRun({ script: script('sample.rc', SAMPLE), json: true }, io)).toBe(0);
    const state = JSON.parse(io.out);
    expect(Object.keys(state)).toEqual(['stop', 'psw', 'gpr', 'cr', 'instructions', 'cycles']);
    expect(state.stop).toBe('disabled-wait');
    expect(state.psw).toBe('000A000000000000');
    expect(state.gpr).toHaveLength(16);
    expect(state.gpr[1]).toBe('0000000C');
    expect(state.cr[0]).toBe('000000E0');
    expect(state.instructions).toBe(4);
    expect(state.cycles).toBeGreaterThan(0);
  });

  it('echoes commands with --echo, as the Hercules log does', () => {
    const io = capture();
    runRun({ script: script('sample.rc', SAMPLE), echo: true }, io);
    const lines = io.out.split('\n');
    expect(lines[0]).toBe('r 0=0008000000000200');
    expect(lines).toContain('HHCPN011I Pausing SCRIPT file processing for 1 seconds...');
    expect(lines).not.toContain('pause 1');
  });

  it('stops at the instruction budget and says so', () => {
    const io = capture();
    expect(runRun({ script: script('loop.rc', LOOP), budget: '5k', json: true }, io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ stop: 'budget', instructions: 5000, psw: '0008000000000200' });
    const text = capture();
    runRun({ script: script('loop.rc', LOOP), budget: '5k' }, text);
    expect(text.err).toContain('the instruction budget (5,000) ended a pause before the CPUs stopped');
  });

  it('shows a live status line on a terminal during long pauses, and none with --json', () => {
    const io = capture(true);
    runRun({ script: script('loop.rc', LOOP), budget: '12M' }, io);
    expect(io.status.text).toContain('instructions');
    // The line is erased before the command returns.
    expect(io.status.text.endsWith('\r\x1b[2K')).toBe(true);
    const quiet = capture(true);
    runRun({ script: script('loop.rc', LOOP), budget: '12M', json: true }, quiet);
    expect(quiet.status.text).toBe('');
  });

  it('loads loadcore files relative to the script', () => {
    writeFileSync(join(dir, 'prog.bin'), Uint8Array.from([0x41, 0x10, 0x00, 0x05, 0x82, 0x00, 0x03, 0x00]));
    const io = capture();
    const rc = script('load.rc', 'r 0=0008000000000200\nr 300=000A000000000000\nloadcore prog.bin 200\nrestart\npause\n');
    expect(runRun({ script: rc, json: true }, io)).toBe(0);
    expect(JSON.parse(io.out).gpr[1]).toBe('00000005');
  });

  it('reports script errors as file:line:column and runs nothing', () => {
    const io = capture();
    const rc = script('bad.rc', 'r 200=4110000\nfoo\n');
    expect(runRun({ script: rc }, io)).toBe(1);
    expect(io.err).toContain(`${rc}:1:13: error CONSOLE_SYNTAX: odd number of hex digits`);
    expect(io.err).toContain(`${rc}:2:1: error CONSOLE_UNKNOWN_COMMAND: unknown command 'foo'`);
    expect(io.out).toBe('');
  });

  it('reports a command it cannot carry out at its location, after what ran before it', () => {
    const io = capture();
    const rc = script('ipl.rc', 'gpr\nipl 0a80\n');
    expect(runRun({ script: rc }, io)).toBe(1);
    expect(io.out.split('\n')).toHaveLength(5);
    expect(io.err).toBe(`${rc}:2:1: error CONSOLE_NO_IPL_DEVICE: cannot IPL from device 0A80: no channel subsystem with IPL support is configured\n`);
    const missing = capture();
    expect(runRun({ script: script('lc.rc', 'loadcore nothere.bin\n') }, missing)).toBe(1);
    expect(missing.err).toContain('lc.rc:1:1: error CONSOLE_LOADCORE: cannot load nothere.bin: no such file');
  });

  it('takes the machine from a Hercules configuration file with -f', () => {
    const cnf = script('h.cnf', 'CPUSERIAL 000611\nCPUMODEL  3090\nMAINSIZE  1\nNUMCPU    2\nARCHMODE  ESA/390\n0009 3215-C / noprompt\n');
    const io = capture();
    const rc = script('cfg.rc', `${SAMPLE.replace('quit\n', '')}r FFFF0.20\ncpu 1\ngpr\n`);
    expect(runRun({ script: rc, config: cnf }, io)).toBe(0);
    const lines = io.out.split('\n');
    // MAINSIZE 1: storage ends at X'100000'; NUMCPU 2: register lines carry the CPU.
    expect(lines).toContain('R:00100000: Real address is not valid');
    expect(lines).toContain('CPU0000: GR00=00000000  GR01=0000000C  GR02=00000007  GR03=00000000');
    expect(lines).toContain('CPU0001: GR00=00000000  GR01=00000000  GR02=00000000  GR03=00000000');
  });

  it('wires ipl to the configured channel subsystem', () => {
    const cnf = script('h.cnf', 'MAINSIZE  16\n0009 3215-C / noprompt\n');
    const io = capture();
    const rc = script('ipl.rc', 'ipl 0009\npause 1\n');
    expect(runRun({ script: rc, config: cnf }, io)).toBe(1);
    // The console cannot be read for an IPL: the channel subsystem's own reason, not "no channel subsystem".
    expect(io.err).toMatch(/ipl\.rc:1:1: error CONSOLE_IPL: IPL from 0009 failed: /);
    const none = capture();
    expect(runRun({ script: script('ipl2.rc', 'ipl 0500\n'), config: cnf }, none)).toBe(1);
    expect(none.err).toContain('error CONSOLE_IPL: IPL from 0500 failed');
  });

  it('reports configuration errors at their location, and an unreadable configuration as an argument error', () => {
    const bad = script('bad.cnf', 'MAINSIZE  lots\n');
    const io = capture();
    expect(runRun({ script: script('s.rc', 'gpr\n'), config: bad }, io)).toBe(1);
    expect(io.err).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+: error `));
    const missing = capture();
    expect(runRun({ script: script('s.rc', 'gpr\n'), config: join(dir, 'none.cnf') }, missing)).toBe(2);
    expect(missing.err).toContain('none.cnf: error CONFIG_FILE: cannot read');
  });

  it('rejects bad arguments with exit code 2', () => {
    const rc = script('sample.rc', SAMPLE);
    for (const bad of [{ arch: 'ia32' }, { mainsize: '15000' }, { mainsize: '3G' }, { budget: '0' }, { cpus: '0' }, {}]) {
      const io = capture();
      const opts = 'arch' in bad || 'mainsize' in bad || 'budget' in bad || 'cpus' in bad ? { script: rc, ...bad } : bad;
      expect(runRun(opts, io), JSON.stringify(bad)).toBe(2);
      expect(io.err).toMatch(/^strachey run: error RUN_ARGUMENT: /);
    }
    const io = capture();
    expect(runRun({ script: join(dir, 'missing.rc') }, io)).toBe(2);
    expect(io.err).toContain('missing.rc: error RUN_READ: cannot read the script');
  });

  it('reads --mainsize as Hercules does: a bare number is megabytes', () => {
    expect(parseMainsize('16')).toBe(16 * 1024 * 1024);
    expect(parseMainsize('16M')).toBe(16 * 1024 * 1024);
    expect(parseMainsize('512k')).toBe(512 * 1024);
    expect(parseMainsize('2G')).toBe(2 ** 31);
  });

  it('is registered as a subcommand of strachey', () => {
    const rc = script('sample.rc', SAMPLE);
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', 'run', '--arch', 'esa390', '--script', rc, '--json'],
      { cwd: join(import.meta.dirname, '..'), encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).gpr[1]).toBe('0000000C');
  });
});
