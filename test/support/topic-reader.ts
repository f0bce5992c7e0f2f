import { randomUUID } from 'node:crypto'
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs'
import { eventually } from './eventually'

export interface ReadRecord {
  topic: string
  partition: number
  offset: number
  key: string | undefined
  value: string | undefined
  headers: IHeaders
}

/** Everything that arrives on some topics, from their beginning, as a test sees it. */
export interface TopicReader {
  records: ReadRecord[]
  /** Resolves once `predicate` holds for the records read so far */
  until(predicate: (records: ReadRecord[]) => boolean, what: string, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export const readTopics = async (brokers: string[], topics: string[]): Promise<TopicReader> => {
  const consumer: Consumer = new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `test-reader-${randomUUID()}`,
    maxWaitTimeInMs: 50,
  })
  const records: ReadRecord[] = []
  await consumer.connect()
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      records.push({
        topic,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString(),
        value: message.value?.toString(),
        headers: message.headers ?? {},
      })
    },
  })
  return {
    records,
    until: async (predicate, what, timeoutMs = 20_000) => {
      await eventually(what, () => predicate(records), { timeoutMs, intervalMs: 20 }).catch((err: Error) => {
        throw new Error(`${err.message}; read ${records.length} records`)
      })
    },
    stop: () => consumer.disconnect(),
  }
}
