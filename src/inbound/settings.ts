import { z } from 'zod'
import { topicName } from '../kafka/settings'

export const feedSettings = z
  .object({
    topics: z
      .array(topicName)
      .min(1)
      .default(['bifrost.feeds'])
      .meta({ description: 'Topics carrying feed records (expected to be compacted).', env: 'FEEDS_TOPICS' }),
    deadLetterTopic: topicName.default('bifrost.feeds.dlq').meta({
      description: 'Where malformed feed records go, with the reason in headers.',
      env: 'FEEDS_DEAD_LETTER_TOPIC',
    }),
    maxAgeSeconds: z.number().positive().default(300).meta({
      description: 'Default freshness limit for a served value; a request may lower it.',
      env: 'FEEDS_MAX_AGE_SECONDS',
    }),
    maxRecordBytes: z.number().int().min(64).default(65_536).meta({
      description: 'Largest feed record (key and value bytes) read; a larger one is dead-lettered as too-large.',
      env: 'FEEDS_MAX_RECORD_BYTES',
    }),
    maxDepth: z.number().int().min(1).max(1000).default(32).meta({
      description:
        'Deepest nesting of arrays and objects in a feed record value; a deeper one is dead-lettered as too-deep.',
      env: 'FEEDS_MAX_DEPTH',
    }),
    maxDecimalDigits: z.number().int().min(1).max(10_000).default(100).meta({
      description:
        'Most digits a feed value may have written out (enough for any uint256 with a fraction); more is dead-lettered as too-many-digits.',
      env: 'FEEDS_MAX_DECIMAL_DIGITS',
    }),
    maxClockSkewMs: z.number().int().min(0).max(86_400_000).default(5000).meta({
      description:
        'How far in the future a feed timestamp may be (clocks differ); a value further ahead is dead-lettered as future-timestamp.',
      env: 'FEEDS_MAX_CLOCK_SKEW_MS',
    }),
    fetchMaxWaitMs: z.number().int().min(1).max(30_000).default(100).meta({
      description:
        'Longest an idle fetch waits for new feed records. A real broker answers as soon as one arrives; the test broker only after this wait, so it bounds the latency there (and the time to stop).',
      env: 'FEEDS_FETCH_MAX_WAIT_MS',
    }),
  })
  .prefault({})

export type FeedSettings = z.infer<typeof feedSettings>
