import { ERROR_CODES, type ErrorCode } from './error-codes'

/**
 * Every error Bifrost raises on purpose is a BifrostError, so callers can tell
 * "we refused this" from "something underneath broke" and still reach the cause.
 * Each subclass names its entry of the error catalogue (src/error-codes.ts) in a static `code`.
 */
export abstract class BifrostError extends Error {
  declare static readonly code: ErrorCode
  /** Stable code from the error catalogue, the same in every version: what users grep and alert on */
  readonly code: ErrorCode
  /** Whether doing the same again, unchanged, may succeed: what a retry loop asks instead of listing classes */
  readonly retryable: boolean
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = (new.target as unknown as typeof BifrostError).code
    this.retryable = ERROR_CODES[this.code].retryable
  }
}

export interface ConfigIssue {
  /** Dotted path of the setting, e.g. `kafka.brokers` or `events.chains.0.rpcUrls` */
  path: string
  message: string
}

export class ConfigError extends BifrostError {
  static override readonly code = 'BIFROST_CONFIG_INVALID'
  readonly issues: ConfigIssue[]
  constructor(issues: ConfigIssue[], options?: { cause?: unknown; source?: string }) {
    const where = options?.source ? ` (${options.source})` : ''
    super(
      `Invalid configuration${where}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
      options,
    )
    this.issues = issues
  }
}
