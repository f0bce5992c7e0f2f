import { z } from 'zod'
import { topicName } from '../kafka/settings'

export const feedSettings = z
  .object({
    topics: z
      .array(topicName)
      .min(1)
      .default(['bifrost.feeds'])
      .meta({ description: 'Topics carrying feed records (expected to be compacted).', env: 'FEEDS_TOPICS' }),
    deadLetterTopic: topicName
      .default('bifrost.feeds.dlq')
      .meta({ description: 'Where malformed feed records go, with the reason in headers.', env: 'FEEDS_DEAD_LETTER_TOPIC' }),
    maxAgeSeconds: z
      .number()
      .positive()
      .default(300)
      .meta({ description: 'Default freshness limit for a served value; a request may lower it.', env: 'FEEDS_MAX_AGE_SECONDS' }),
    fetchMaxWaitMs: z.number().int().min(1).max(30_000).default(100).meta({
      description:
        'Longest an idle fetch waits for new feed records. A real broker answers as soon as one arrives; the test broker only after this wait, so it bounds the latency there (and the time to stop).',
      env: 'FEEDS_FETCH_MAX_WAIT_MS',
    }),
  })
  .prefault({})

export type FeedSettings = z.infer<typeof feedSettings>
