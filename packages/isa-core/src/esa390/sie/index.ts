/**
 * The interpretive-execution facility (SIE, B214) for ESA/390 guests: the
 * format-1 state description and the facility a machine is given through
 * its `sie` option.
 */
export {
  decodeStateDescription,
  emptyStateDescription,
  encodeStateDescription,
  SIE_EC,
  SIE_IC,
  SIE_ICPT,
  SIE_M,
  SIE_SD,
  SIE_SD_SIZE,
  SIE_STATUS,
  SIE_SVC,
  SIE_V,
  SIE_VALIDITY,
  type SieStateDescription,
  sieInstructionLength,
  sieValidity,
  stateDescriptionValidity,
} from './state-description';
export {
  InterpretiveExecution,
  type InterpretiveExecutionOptions,
  type SieCounters,
} from './interpretive-execution';
