/**
 * @strachey/io-channel — the ESA/390 channel subsystem with real devices and
 * persistent DASD. This file is the package's whole public API.
 */
export * from './status';
export * from './blocks';
export * from './device';
export { checkChannelAccess, type AddressLimit } from './channel-storage';
export { Subchannel, type DeviceSlot } from './subchannel';
export * from './channel-subsystem';
export * from './ebcdic';
export * from './devices/ckd-volume';
export * from './devices/ckd-image';
export * from './devices/dasd-3390';
export * from './devices/console-3215';
export * from './devices/printer-1403';
export * from './devices/card-2540';
export * from './devices/display-3270';
export { UnitRecordDevice } from './devices/unit-record';
export * from './machine';
export * from './dasd-tool';
export * from './devices/internal-lan';
export * from './config';
export * from './devices/3270/index';
