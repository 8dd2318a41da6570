/**
 * The 3270 terminal side of the CLI: the IBM 3270 data stream (GA23-0059) as
 * a screen model and record builder, a TN3270 server (RFC 1576) for real
 * clients such as s3270/c3270/x3270, an in-process terminal, and a VM-style
 * line-mode console for CP.
 */
export * from './codes';
export * from './screen';
export * from './datastream';
export * from './telnet';
export * from './tn3270-server';
export * from './local-terminal';
export * from './timers';
export * from './line-console';
export * from './echo-application';
export * from './display-bridge';
