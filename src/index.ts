/**
 * amtwatch as a library: the run functions and the record contract. Importing this module has no
 * side effects (no listeners, no I/O); test/importSideEffects.test.ts checks it.
 */
export { runRead, type ReadIo, type ReadSummary } from './app/read.js';
export { buildReadConfig, loadPolicyFile, type ReadRequest, type RunConfig, type OutputFormat } from './app/config.js';
export { Pipeline, type RecordSink } from './app/pipeline.js';
export { openOutput, type OutputSink } from './app/output.js';
export { createLogger, silentLogger } from './app/log.js';
export * from './records/index.js';
export { AmtwatchError, EXIT_OK, EXIT_UNAUTHORIZED, EXIT_USAGE, EXIT_INPUT } from './core/errors.js';
