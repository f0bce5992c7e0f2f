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
    ssl: z.boolean().default(false).meta({
      description:
        'Connect with TLS, trusting the system CA store (or kafka.sslCa); implied by kafka.sslCa and kafka.sslCert.',
      env: 'KAFKA_SSL',
    }),
    sslCa: z.string().min(1).optional().meta({
      description:
        'PEM file of the CA(s) that signed the brokers’ certificates (a private CA), trusted instead of the system store.',
      env: 'KAFKA_SSL_CA',
    }),
    sslCert: z.string().min(1).optional().meta({
      description: 'PEM file of the client certificate for mutual TLS (with kafka.sslKey).',
      env: 'KAFKA_SSL_CERT',
    }),
    sslKey: z.string().min(1).optional().meta({
      description: 'PEM file of the client certificate’s private key for mutual TLS (with kafka.sslCert).',
      env: 'KAFKA_SSL_KEY',
    }),
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
    replicationFactor: z.number().int().positive().optional().meta({
      description:
        'Replicas of each topic Bifrost creates (its internal topics; all with `bifrost topics --create`); default min(3, brokers in the cluster).',
      env: 'KAFKA_REPLICATION_FACTOR',
    }),
    connectionTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(3000)
      .meta({ description: 'Time to wait for a broker connection.', env: 'KAFKA_CONNECTION_TIMEOUT_MS' }),
    requestTimeoutMs: z.number().int().positive().default(30_000).meta({
      description:
        'Time to wait for a broker’s answer before a request is retried, on fresh metadata: how long a broker that stops answering but keeps its connections (a long pause) can hold up a send.',
      env: 'KAFKA_REQUEST_TIMEOUT_MS',
    }),
  })
  .refine((s) => Boolean(s.sslCert) === Boolean(s.sslKey), {
    path: ['sslKey'],
    message: 'kafka.sslCert and kafka.sslKey go together: mutual TLS needs the certificate and its key',
  })
  .prefault({})

export type KafkaSettings = z.infer<typeof kafkaSettings>
