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
  })
  .prefault({})

export type FeedSettings = z.infer<typeof feedSettings>
