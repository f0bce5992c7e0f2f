import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs'
import { untilAborted } from '../abort'
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
