import type { Kafka } from 'kafkajs'
import type { PartitionTarget } from '../inbound/catch-up'

/**
 * Where each partition of `topic` starts and ends now. With a group, a partition
 * starts at the group's committed offset, so only what the group has not yet
 * handled counts as "behind".
 */
export const partitionTargets = async (kafka: Kafka, topic: string, groupId?: string): Promise<PartitionTarget[]> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    const committed = new Map<number, number>()
    if (groupId) {
      const [group] = await admin.fetchOffsets({ groupId, topics: [topic] })
      for (const p of group?.partitions ?? []) if (Number(p.offset) >= 0) committed.set(p.partition, Number(p.offset))
    }
    return offsets.map((o) => ({
      topic,
      partition: o.partition,
      low: Math.max(Number(o.low), committed.get(o.partition) ?? -1),
      high: Number(o.high),
    }))
  } finally {
    await admin.disconnect()
  }
}
