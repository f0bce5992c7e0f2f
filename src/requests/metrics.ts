import { deadLettersDroppedCounter } from '../metrics/dead-letters'
import { counter, gauge, histogram } from '../metrics/registry'

export const requestMetrics = {
  published: counter({
    name: 'bifrost_requests_published_total',
    help: 'Request records published to requests.topic, by mode (sync: no responseURL, async: with one)',
    labelNames: ['mode'] as const,
  }),
  joined: counter({
    name: 'bifrost_requests_joined_total',
    help: 'Bridge requests that joined one already in flight (same correlation id) instead of publishing again',
  }),
  replies: counter({
    name: 'bifrost_requests_replies_total',
    help: 'Records read from requests.replyTopic, by what became of them (matched, unknown, duplicate, late, malformed)',
    labelNames: ['status'] as const,
  }),
  expired: counter({
    name: 'bifrost_requests_expired_total',
    help: 'Requests that reached their deadline without a reply',
  }),
  callbacksSent: counter({
    name: 'bifrost_requests_callbacks_sent_total',
    help: 'PATCHes to a responseURL that the node accepted',
  }),
  callbacksFailed: counter({
    name: 'bifrost_requests_callbacks_failed_total',
    help: 'Callbacks given up, by reason (rejected: a final 4xx such as 422; gave-up: still failing at the retry deadline; refused: restored from the pending topic to a host requests.allowedCallbackHosts does not allow)',
    labelNames: ['reason'] as const,
  }),
  callbacksRetried: counter({
    name: 'bifrost_requests_callbacks_retried_total',
    help: 'Callback attempts repeated after a 5xx, 408, 429 or network error',
  }),
  deadLettersDropped: deadLettersDroppedCounter('requests', []),
  outcomeWriteFailures: counter({
    name: 'bifrost_requests_outcome_write_failures_total',
    help: 'Replies whose outcome could not be recorded in requests.pendingTopic; they are answered from memory',
  }),
  pending: gauge({
    name: 'bifrost_requests_pending',
    help: 'Requests waiting for a reply',
  }),
  replySeconds: histogram({
    name: 'bifrost_requests_reply_seconds',
    help: 'Time from publishing a request to reading its reply',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  }),
}
