import { z } from 'zod'
import { MAX_TIMER_MS } from '../config/timer'
import { topicName } from '../kafka/settings'
import { parseHostRule } from './callback-url'

// IPv6 literals need their brackets, so "[::1]:6688" is unambiguous.
const callbackHost = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'expected a host name or host:port ([v6]:port for IPv6)')
  .refine(
    (entry) => {
      try {
        parseHostRule(entry)
        return true
      } catch {
        return false
      }
    },
    { message: 'not a host a URL can name (an IPv4 address has four numbers of 0-255)' },
  )

export const requestSettings = z
  .object({
    enabled: z.boolean().default(true).meta({
      description:
        'Run the request endpoint on this instance. Open requests live in one process: with several replicas, enable it on one and send `request` bodies there (the others answer 503).',
      env: 'REQUESTS_ENABLED',
    }),
    topic: topicName
      .default('bifrost.requests')
      .meta({ description: 'Where bridge requests are published for enterprise systems.', env: 'REQUESTS_TOPIC' }),
    replyTopic: topicName
      .default('bifrost.replies')
      .meta({ description: 'Where enterprise systems answer, keyed by correlation id.', env: 'REQUESTS_REPLY_TOPIC' }),
    deadLetterTopic: topicName.default('bifrost.replies.dlq').meta({
      description: 'Where malformed replies go, with the reason in headers.',
      env: 'REQUESTS_DEAD_LETTER_TOPIC',
    }),
    pendingTopic: topicName.default('bifrost.requests.pending').meta({
      description:
        'Internal compacted topic holding open asynchronous requests (with their responseURL), re-read at start-up. Restrict it to Bifrost with ACLs.',
      env: 'REQUESTS_PENDING_TOPIC',
    }),
    syncTimeoutMs: z.number().int().positive().default(10_000).meta({
      description:
        "How long a request without responseURL waits for its reply; keep it under the node's bridge timeout (15 s).",
      env: 'REQUESTS_SYNC_TIMEOUT_MS',
    }),
    timeoutSeconds: z.number().positive().max(604_800).default(300).meta({
      description: 'Deadline of a request; without a reply by then the node is told so with an error.',
      env: 'REQUESTS_TIMEOUT_SECONDS',
    }),
    callbackGraceSeconds: z
      .number()
      .positive()
      .max(MAX_TIMER_MS / 1000)
      .default(60)
      .meta({
        description:
          'Least time a callback is retried once its answer is known (so an answer near the deadline still arrives); an answered request is also remembered this long.',
        env: 'REQUESTS_CALLBACK_GRACE_SECONDS',
      }),
    replySessionTimeoutMs: z.number().int().min(6000).default(10_000).meta({
      description:
        'Session timeout of the reply consumer group: after a crash, replies wait this long for the dead member to be dropped.',
      env: 'REQUESTS_REPLY_SESSION_TIMEOUT_MS',
    }),
    fetchMaxWaitMs: z.number().int().min(1).max(30_000).default(100).meta({
      description:
        'Longest an idle fetch of replies waits. A real broker answers as soon as one arrives; the test broker only after this wait, so it bounds the reply latency there (and the time to stop).',
      env: 'REQUESTS_FETCH_MAX_WAIT_MS',
    }),
    maxRequestBytes: z.number().int().min(1024).default(65_536).meta({
      description:
        'Largest request record published to requests.topic (its JSON: params, meta and the rest); a bridge request past it gets 413.',
      env: 'REQUESTS_MAX_REQUEST_BYTES',
    }),
    maxReplyBytes: z.number().int().min(64).default(65_536).meta({
      description: 'Largest reply value read from requests.replyTopic; a larger one is dead-lettered as too-large.',
      env: 'REQUESTS_MAX_REPLY_BYTES',
    }),
    maxDepth: z.number().int().min(1).max(1000).default(32).meta({
      description:
        'Deepest nesting of arrays and objects in a bridge request (400 past it) and in a reply (dead-lettered as too-deep).',
      env: 'REQUESTS_MAX_DEPTH',
    }),
    maxCallbacks: z.number().int().min(1).max(1000).default(16).meta({
      description:
        'Most distinct responseURLs one open request collects from joining bridge calls; one more gets 429 (each is kept in its pending record).',
      env: 'REQUESTS_MAX_CALLBACKS',
    }),
    allowedCallbackHosts: z.array(callbackHost).default(['localhost', '127.0.0.1', '[::1]']).meta({
      description:
        'Hosts (or host:port) a responseURL may point at; any other is refused. Name your Chainlink nodes here in production.',
      env: 'REQUESTS_ALLOWED_CALLBACK_HOSTS',
    }),
  })
  .prefault({})
  .refine((s) => s.syncTimeoutMs <= s.timeoutSeconds * 1000, {
    message: 'syncTimeoutMs must not exceed timeoutSeconds',
    path: ['syncTimeoutMs'],
  })

export type RequestSettings = z.infer<typeof requestSettings>
