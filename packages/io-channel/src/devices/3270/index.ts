/**
 * The IBM 3270 data stream (GA23-0059) as one codec: code points and buffer
 * addresses (codes), a record builder for host applications (builder) and
 * the display buffer that applies outbound records and produces and takes
 * inbound ones (screen). Display3270 is built on it; so are the CLI's TN3270
 * server and terminals.
 */
export * from './codes';
export * from './builder';
export * from './screen';
