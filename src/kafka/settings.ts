import { z } from 'zod'

const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port')

/** Kafka's own rule for topic names. */
export const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/

export const topicName = z.string().regex(TOPIC_NAME, 'expected a Kafka topic name')

export const kafkaSettings = z
  .object({
    brokers: z
      .array(hostPort)
      .min(1)
      .default(['127.0.0.1:9092'])
      .meta({ description: 'Bootstrap brokers (comma-separated in the environment).', env: 'KAFKA_BROKERS' }),
    clientId: z
      .string()
      .min(1)
      .default('bifrost')
      .meta({ description: 'Kafka client id; also the prefix of Bifrost consumer group ids.', env: 'KAFKA_CLIENT_ID' }),
    ssl: z
      .boolean()
      .default(false)
      .meta({ description: 'Connect with TLS using the system CA store.', env: 'KAFKA_SSL' }),
    sasl: z
      .object({
        mechanism: z
          .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
          .optional()
          .meta({ description: 'SASL mechanism; unset means no SASL.', env: 'KAFKA_SASL_MECHANISM' }),
        username: z.string().optional().meta({ description: 'SASL user name.', env: 'KAFKA_SASL_USERNAME' }),
        password: z
          .string()
          .optional()
          .meta({ description: 'SASL password. Never logged.', env: 'KAFKA_SASL_PASSWORD', secret: true }),
      })
      .prefault({})
      .refine((s) => !s.mechanism || (s.username && s.password), {
        message: 'username and password are required when a SASL mechanism is set',
      }),
    connectionTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(3000)
      .meta({ description: 'Time to wait for a broker connection.', env: 'KAFKA_CONNECTION_TIMEOUT_MS' }),
  })
  .prefault({})

export type KafkaSettings = z.infer<typeof kafkaSettings>
