import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { IHeaders } from 'kafkajs'
import { fetchApacheKafka } from '../../src/dev/apache-kafka'
import { repoRoot } from '../../src/dev/paths'
import type { ReadRecord } from './topic-reader'

/** A record as a consumer prints it, whatever its client: headers in their order, values as UTF-8 */
export interface PlainRecord {
  partition: number
  offset: number
  key: string | null
  value: string | null
  headers: Array<[string, string | null]>
}

export type Isolation = 'read_committed' | 'read_uncommitted'

/** Partition by partition, each in the order its consumer received it (a stable sort): how order is compared */
const byPartition = (records: PlainRecord[]): PlainRecord[] => records.sort((a, b) => a.partition - b.partition)

/**
 * The official Java client's jars out of the broker's own folder (native/apache-kafka/fetch.sh already fetches
 * kafka-clients with the broker): no second download. No SLF4J binding among them, so the client logs nothing
 * (SLF4J says so once, on stderr).
 */
const clientClasspath = async (): Promise<string> => {
  const libs = await fetchApacheKafka()
  const jars = readdirSync(libs).filter((jar) => /^(kafka-clients|slf4j-api|lz4-java|snappy-java|zstd-jni)-/.test(jar))
  if (!jars.some((jar) => jar.startsWith('kafka-clients-'))) throw new Error(`no kafka-clients jar in ${libs}`)
  return jars.map((jar) => join(libs, jar)).join(':')
}

/**
 * Reads `topic` from its beginning to its end as `isolation` sees it with the Java client
 * (test/support/java/TopicDump.java, run by `java` single-file source launch): a consumer that is not kafkajs.
 */
export const readWithJavaClient = async (
  brokers: string[],
  topic: string,
  isolation: Isolation,
  timeoutMs = 60_000,
): Promise<PlainRecord[]> => {
  const source = join(repoRoot(), 'test', 'support', 'java', 'TopicDump.java')
  const { stdout } = await promisify(execFile)(
    'java',
    ['-cp', await clientClasspath(), source, brokers.join(','), topic, isolation, String(timeoutMs)],
    { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs + 60_000 },
  )
  return byPartition(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as PlainRecord),
  )
}

const text = (value: Buffer | string | undefined): string | null => (value === undefined ? null : value.toString())

/** What kafkajs read of `topic`, in the shape the Java client prints, partition by partition in the order received */
export const plainRecords = (records: ReadRecord[], topic: string): PlainRecord[] =>
  byPartition(
    records
      .filter((r) => r.topic === topic)
      .map((r) => ({
        partition: r.partition,
        offset: r.offset,
        key: r.key ?? null,
        value: r.value ?? null,
        headers: Object.entries(r.headers as IHeaders).flatMap(([name, v]) =>
          (Array.isArray(v) ? v : [v]).map((one): [string, string | null] => [name, text(one)]),
        ),
      })),
  )
