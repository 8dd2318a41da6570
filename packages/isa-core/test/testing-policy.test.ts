/**
 * The InterceptionPolicy contract of '@strachey/isa-core/testing' on the
 * policies isa-core ships (and one naming every instruction the CPU asks
 * about): each answers consistently and the ESA/390 CPU routes exactly what
 * each names to the host. Policies with a defect fail.
 */
import { describe, expect, it } from 'vitest';
import {
  ESA390_INSTRUCTIONS,
  type InterceptionPolicy,
  interceptInstructions,
  NO_INTERCEPTION,
  TRAP_AND_EMULATE,
} from '@strachey/isa-core';
import { contractFailures, interceptionPolicyContract } from '@strachey/isa-core/testing';

const SIE_LIKE = interceptInstructions('sie-like', ['SSCH', 'TSCH', 'STSCH', 'MSCH', 'HSCH', 'CSCH', 'RSCH', 'TPI', 'SIGP', 'DIAG']);
const EVERYTHING = interceptInstructions(
  'every-privileged-instruction',
  ESA390_INSTRUCTIONS.filter((r) => r.privileged || r.mnemonic === 'STCK').map((r) => r.mnemonic),
);
const SOME_PROGRAM_CODES: InterceptionPolicy = {
  name: 'translation-faults-and-svc-8',
  program: (code) => code === 0x02 || code === 0x10 || code === 0x11,
  svc: (n) => n === 8,
  instruction: () => false,
};

describe('policies that pass the InterceptionPolicy contract', () => {
  for (const policy of [NO_INTERCEPTION, TRAP_AND_EMULATE, SIE_LIKE, EVERYTHING, SOME_PROGRAM_CODES]) {
    describe(policy.name, () => {
      for (const c of interceptionPolicyContract(policy)) it(c.name, c.run);
    });
  }
});

function failureOf(policy: InterceptionPolicy): string[] {
  return contractFailures(interceptionPolicyContract(policy)).map((f) => f.message);
}

describe('a policy with a defect fails the contract', () => {
  it('an answer that is not a boolean', () => {
    const p = { ...NO_INTERCEPTION, name: 'truthy', svc: (n: number) => (n === 3 ? (1 as unknown as boolean) : false) };
    expect(failureOf(p)).toContain('interception policy contract: svc(3) answered 1, not a boolean');
  });
  it('an answer that changes when asked again', () => {
    let calls = 0;
    const p = { ...NO_INTERCEPTION, name: 'flip-flop', program: () => ++calls % 2 === 0 };
    expect(failureOf(p)[0]).toBe("interception policy contract: program(X'1') answered false, then true");
  });
  it('a predicate that throws', () => {
    const p: InterceptionPolicy = {
      ...NO_INTERCEPTION,
      name: 'throws',
      instruction: (m) => {
        if (m === 'SIE') throw new Error('no SIE here');
        return false;
      },
    };
    expect(failureOf(p)).toContain("interception policy contract: instruction('SIE') threw: no SIE here");
  });
  it('an empty name', () => {
    expect(failureOf({ ...NO_INTERCEPTION, name: '' })[0]).toBe('interception policy contract: name must be a non-empty string');
  });
});
