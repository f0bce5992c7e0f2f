import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type ProducerConfig, type SASLOptions } from 'kafkajs'
import { untilAborted } from '../abort'
import { ConfigError } from '../errors'
import './request-queue-fix'
import './request-timeout-fix'
import type { KafkaSettings } from './settings'

const kafkaLogger = makeLogger('Kafka')

// kafkajs logs through its own sink; route it into the adapter's pino logger so
// one LOG_LEVEL governs everything and nothing writes around the censoring.
const logCreator =
  () =>
  ({ level, log }: { level: logLevel; log: { message: string } & Record<string, unknown> }) => {
    const { message, ...rest } = log
    const text = `${message}`
    if (level === logLevel.ERROR) kafkaLogger.error(rest, text)
    else if (level === logLevel.WARN) kafkaLogger.warn(rest, text)
    else if (level === logLevel.INFO) kafkaLogger.debug(rest, text)
    else kafkaLogger.trace(rest, text)
  }

const saslOptions = (sasl: KafkaSettings['sasl']): SASLOptions | undefined =>
  sasl.mechanism && sasl.username && sasl.password
    ? ({ mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions)
    : undefined

const readPem = (file: string, setting: string): string => {
  try {
    return readFileSync(file, 'utf8')
  } catch (cause) {
    throw new ConfigError([{ path: setting, message: `cannot read ${file}: ${(cause as Error).message}` }], { cause })
  }
}

/** `true` (system CAs) unless a private CA or a client certificate is configured; either one implies TLS. */
const tlsOptions = (settings: KafkaSettings): boolean | ConnectionOptions => {
  if (!settings.sslCa && !settings.sslCert) return settings.ssl
  return {
    ...(settings.sslCa && { ca: [readPem(settings.sslCa, 'kafka.sslCa')] }),
    ...(settings.sslCert && { cert: readPem(settings.sslCert, 'kafka.sslCert') }),
    ...(settings.sslKey && { key: readPem(settings.sslKey, 'kafka.sslKey') }),
  }
}

/**
 * No Bifrost client may create a topic by asking for its metadata: on a stock
 * broker (auto.create.topics.enable=true) a missing checkpoint topic would come
 * back silently with the broker's defaults, not compacted. Bifrost's own topics
 * are created on purpose, with their settings (src/kafka/topics.ts).
 */
class NoAutoCreateKafka extends Kafka {
  override producer(config: ProducerConfig = {}) {
    return super.producer({ ...config, allowAutoTopicCreation: false })
  }

  override consumer(config: ConsumerConfig) {
    return super.consumer({ ...config, allowAutoTopicCreation: false })
  }
}

/** Reads the PEM files of kafka.sslCa/sslCert/sslKey (a missing one is a ConfigError naming its setting). */
export const createKafka = (settings: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka =>
  new NoAutoCreateKafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: tlsOptions(settings),
    sasl: saslOptions(settings.sasl),
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator,
    ...overrides,
  })

/** Longest a stop waits for one kafkajs client to disconnect. */
export const DISCONNECT_WAIT_MS = 2000

/**
 * Disconnects, waiting at most DISCONNECT_WAIT_MS: kafkajs waits for a connect
 * in progress to end before it disconnects, and against a Kafka that accepts
 * connections but does not answer that is its whole request timeout (30 s).
 * What is left is abandoned; it cannot hold up a stop. Never rejects.
 */
export const disconnectSoon = async (client: { disconnect(): Promise<void> }, what: string): Promise<void> => {
  await untilAborted(client.disconnect(), AbortSignal.timeout(DISCONNECT_WAIT_MS)).catch((err: Error) =>
    kafkaLogger.warn(`${what} did not disconnect cleanly: ${err.message}`),
  )
}
