import { BifrostError } from './errors'

/**
 * A part of Bifrost stopped for good: its loop exited with an error it will not retry (kafkajs gave up on a consumer
 * after a non-retriable error such as an authorization failure, say). The process cannot heal it; only a restart can,
 * so `bifrost serve` exits non-zero and the orchestrator restarts it. A chain halted after a too-deep reorg, or one
 * whose endpoints are all down, is not dead: the first waits for an operator, the second retries on its own.
 */
export class PartDiedError extends BifrostError {
  static override readonly code = 'BIFROST_PART_DIED'
  constructor(
    /** Which part: `feeds`, `requests`, ... */
    readonly part: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${part} stopped for good: ${reason}`, options)
  }
}

/** Called at most once per part, when it dies. */
export type OnPartDied = (err: PartDiedError) => void
