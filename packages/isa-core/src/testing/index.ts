/**
 * @strachey/isa-core/testing — contract test suites for the interfaces
 * isa-core defines, and helpers for tests that run ESA/390 programs.
 *
 * A contract suite is the shared test every implementation of an interface
 * must pass (as rust-vmm crates ship theirs), so a downstream StoragePort,
 * IoHandler or InterceptionPolicy is held to what the CPU relies on. Suites
 * are plain functions returning cases that throw on a violation, so they
 * need no test framework: `for (const c of storagePortContract(make)) it(c.name, c.run)`.
 */
export { type ContractCase, type ContractFailure, contractFailures } from './contract';
export { checkStorageAgainstModel, storagePortContract } from './storage-contract';
export { type IoHandlerSubject, ioHandlerContract, storageOperandAccess } from './io-contract';
export { interceptionPolicyContract } from './policy-contract';
export {
  assembleAndLoad,
  type BootedProgram,
  bootProgram,
  type LoadedProgram,
  type ProgramInterruptionInfo,
  programInterruption,
  runToWait,
  type StartOptions,
  startCpu,
  type WaitState,
} from './program';
