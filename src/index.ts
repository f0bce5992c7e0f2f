/**
 * Bifrost as a library: what `package.json` `main` points at. Everything else under src/ is internal and may change
 * between versions; this surface does not without a major version.
 */
export { startBifrost, type Bifrost, type StartOptions } from './bifrost'
export { loadConfig, redactConfig, type LoadConfigOptions } from './config/load'
export type { Config } from './config/schema'
export { BifrostError, ConfigError, type ConfigIssue } from './errors'
export { ERROR_CODES, RETIRED_ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from './error-codes'
export { PartDiedError } from './liveness'
export { FeedIngestError } from './inbound/feed-ingest'
export { RequestsStartError } from './requests/service'
