import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs'
import './request-queue-fix'
import type { KafkaSettings } from './settings'

const kafkaLogger = makeLogger('Kafka')

// kafkajs logs through its own sink; route it into the adapter's pino logger so
// one LOG_LEVEL governs everything and nothing writes around the censoring.
const logCreator = () => ({ level, log }: { level: logLevel; log: { message: string } & Record<string, unknown> }) => {
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

export const createKafka = (settings: KafkaSettings, overrides: Partial<KafkaConfig> = {}): Kafka =>
  new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    sasl: saslOptions(settings.sasl),
    connectionTimeout: settings.connectionTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator,
    ...overrides,
  })
