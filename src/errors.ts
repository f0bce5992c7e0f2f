/**
 * Every error Bifrost raises on purpose is a BifrostError, so callers can tell
 * "we refused this" from "something underneath broke" and still reach the cause.
 */
export class BifrostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

export interface ConfigIssue {
  /** Dotted path of the setting, e.g. `kafka.brokers` or `events.chains.0.rpcUrls` */
  path: string
  message: string
}

export class ConfigError extends BifrostError {
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
