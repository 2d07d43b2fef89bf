export { importCompose, DEFAULT_VOLUME_SIZE } from './compose';
export { importContainerlab } from './containerlab';
export { formatImportMessage, escapeControl, MAX_IMPORT_BYTES, type ImportMessage, type ImportResult } from './source';
