export {
  openKServeModel,
  DEFAULT_KSERVE_MAX_MESSAGE_BYTES,
  DEFAULT_KSERVE_TIMEOUT_MS,
  type KServeBackendOptions,
} from './kserve-backend';
export { startKServeServer, kserveHandlers, KSERVE_SERVICE_NAME, KSERVE_SERVED_VERSION, type KServeServer, type KServeServerOptions } from './kserve-server';
export { parseKServeUri, isKServeUri, type KServeUri } from './uri';
export { KSERVE_DATATYPES, dtypeOfDatatype } from './tensor-codec';
