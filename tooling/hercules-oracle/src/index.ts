/**
 * @strachey/hercules-oracle — Debian's Hercules 3.13 as the differential
 * oracle for ESA/390: run a console script headless, parse the console log
 * (register, PSW and storage displays, program-check and wait messages), and
 * run many short cases through a few processes. Private test tooling.
 */
export * from './parse';
export * from './run';
export * from './batch';
export * from './settle';
