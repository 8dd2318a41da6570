/**
 * The Popek-Goldberg test applied to the ESA/390 instruction table. Every
 * sensitive instruction of ESA/390 is privileged (as in S/370, which VM/370
 * relied on in 1972), so the architecture is virtualizable by
 * trap-and-emulate and the list of violations is empty.
 */
import { type Classification, classify } from '../framework/metadata';
import { ESA390_INSTRUCTIONS } from './table';

/** Classify the ESA/390 subset: sensitive, privileged, and the violations of Popek & Goldberg's Theorem 1. */
export function classifyEsa390(): Classification {
  return classify('ESA/390', ESA390_INSTRUCTIONS);
}
