const M = 0x5bd1e995

/**
 * Kafka's murmur2 (the Java client's Utils.murmur2, which kafkajs' default
 * partitioner also implements, on 64-bit Long objects): here in 32-bit integer
 * arithmetic, ~10x faster, for the hundred thousand keys of a backfill.
 */
const murmur2 = (data: Buffer): number => {
  const length = data.length
  let h = 0x9747b28c ^ length
  const tail = length & ~3
  for (let i = 0; i < tail; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2] << 16
  if (rest >= 2) h ^= data[tail + 1] << 8
  if (rest >= 1) h = Math.imul(h ^ data[tail], M)
  h ^= h >>> 13
  h = Math.imul(h, M)
  return h ^ (h >>> 15)
}

/** The partition Kafka's default partitioner (Java, kafkajs, librdkafka's murmur2_random) picks for a key. */
export const partitionOf = (key: string, partitions: number): number =>
  (murmur2(Buffer.from(key)) & 0x7fffffff) % partitions
