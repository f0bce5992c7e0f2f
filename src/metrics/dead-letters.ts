import type { Counter } from 'prom-client'
import { counter } from './registry'

/**
 * Dead letters a part gave up on because its dead-letter topic refuses them for good: one meaning in every part
 * (feeds, requests, events), so one declaration. `error` names the refusal (e.g. `TOPIC_AUTHORIZATION_FAILED`).
 */
export const deadLettersDroppedCounter = <L extends string>(
  part: 'feeds' | 'requests' | 'events',
  labelNames: readonly L[],
  formerly?: string,
): Counter<L | 'error'> =>
  counter({
    name: `bifrost_${part}_dead_letters_dropped_total`,
    formerly,
    help: 'Dead letters given up because the dead-letter topic refuses them for good (too large, missing, denied); each is logged with where its record came from',
    labelNames: [...labelNames, 'error'],
  })
