/** One contract check and the small pieces every contract suite shares. */

/**
 * One check of a contract suite: `run()` throws an Error describing the
 * violation and returns normally when the implementation conforms. Any test
 * runner can use the cases: `for (const c of suite) it(c.name, c.run)`.
 */
export interface ContractCase {
  readonly name: string;
  readonly run: () => void;
}

/** A case that failed: its name and the violation it reported. */
export interface ContractFailure {
  readonly name: string;
  readonly message: string;
}

/**
 * Run every case and collect those that threw, in order: all of an
 * implementation's violations in one report, and the way to show that a
 * deliberately broken implementation fails exactly the cases guarding it.
 */
export function contractFailures(cases: Iterable<ContractCase>): ContractFailure[] {
  const out: ContractFailure[] = [];
  for (const c of cases) {
    try {
      c.run();
    } catch (e) {
      out.push({ name: c.name, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** Throw a contract violation; `contract` names the interface ("storage port"). */
export function violation(contract: string, message: string): never {
  throw new Error(`${contract} contract: ${message}`);
}

/** Hexadecimal for messages: `X'1FFF'`. */
export function hex(n: number): string {
  return `X'${(n >>> 0).toString(16).toUpperCase()}'`;
}

/**
 * xorshift32: a deterministic pseudo-random sequence from an explicit seed,
 * so a contract that probes with random operations reports a failure that
 * replays exactly (the seed is in the case's message).
 */
export function xorshift32(seed: number): () => number {
  let s = seed | 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
