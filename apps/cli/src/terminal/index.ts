/**
 * The 3270 terminal side of the CLI: the IBM 3270 data stream (GA23-0059) as
 * a screen model and record builder, a TN3270 server (RFC 1576) for real
 * clients such as s3270/c3270/x3270, an in-process terminal, and a VM-style
 * line-mode console for CP.
 */
// The 3270 data stream itself (codes, record builder, screen model) is io-channel's, the one
// codec the channel-attached Display3270 uses too; the terminal library keeps its shorter names.
export {
  Aid,
  aidName,
  type BufferAddressMode as AddressMode,
  bufferAddressModeFor as addressModeFor,
  CODE_TABLE_3270 as CODE_TABLE,
  Command3270 as Command,
  type Command3270Kind as CommandKind,
  codeTable3270 as codeTable,
  command3270Kind as commandKind,
  type DataStreamError,
  type DataStreamResult as WriteResult,
  DISPLAY3270_DEFAULT_COLS as DEFAULT_COLS,
  DISPLAY3270_DEFAULT_ROWS as DEFAULT_ROWS,
  decodeBufferAddress as decodeAddress,
  type Display3270Model as TerminalModel,
  display3270AlternateSize as modelSize,
  encodeBufferAddress as encodeAddress,
  eraseWrite3270 as eraseWrite,
  ExtAttr,
  FieldAttr,
  type FieldOptions,
  fieldAttribute,
  FORMAT_CONTROLS_3270 as FORMAT_CONTROLS,
  fromEbcdic as ebcdicText,
  type InboundField,
  type InboundRecord,
  type InboundResult,
  isShortReadAid,
  Order3270 as Order,
  OutboundBuilder3270 as OutboundBuilder,
  pfAid,
  type ScreenField,
  Screen3270,
  toSnaCommand,
  Wcc,
  type WccOptions,
  wcc,
  write3270 as write,
} from '@strachey/io-channel';
export * from './telnet';
export * from './tn3270-server';
export * from './local-terminal';
export * from './timers';
export * from './line-console';
export * from './echo-application';
export * from './display-bridge';
