import { topicMismatches, type TopicReport, type TopicStatus } from '../kafka/topics'

const STATE = { present: 'exists', created: 'created', missing: 'MISSING' } as const

/** What a topic has where it exists (with what it needs next to a config that differs); what it needs where it is missing. */
const row = (t: TopicStatus, replicationFactor: number): string[] => {
  const configs = Object.entries(t.configs).map(([k, v]) =>
    t.has?.configs && t.has.configs[k] !== v ? `${k}=${v} (has ${t.has.configs[k] ?? 'unset'})` : `${k}=${v}`,
  )
  return [
    STATE[t.state],
    t.topic,
    t.internal ? 'internal' : 'shared',
    String(t.has?.partitions ?? t.partitions),
    String(t.has?.replicationFactor ?? replicationFactor),
    configs.join(',') || '-',
    t.setting,
    t.purpose,
  ]
}

/**
 * The answer of `bifrost topics`, what an operator hands to the Kafka team: one
 * row per topic, then what to do about the missing ones.
 */
export const describeTopics = ({ topics, replicationFactor }: TopicReport): string => {
  const rows = [
    ['STATE', 'TOPIC', 'OWNER', 'PARTITIONS', 'REPLICAS', 'CONFIGS', 'SETTING', 'PURPOSE'],
    ...topics.map((t) => row(t, replicationFactor)),
  ]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const missing = topics.filter((t) => t.state === 'missing')
  const internal = missing.filter((t) => t.internal).length
  const wrong = topics.flatMap((t) => topicMismatches(t).map((m) => `${t.topic} (${t.setting}): ${m}`))
  return [
    ...rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')),
    '',
    ...wrong.map((w) => `Not as Bifrost needs it: ${w}.`),
    missing.length === 0
      ? 'Every topic exists.'
      : `${missing.length} missing: \`bifrost topics --create\` creates them as listed` +
        (internal > 0 ? `; Bifrost creates the internal ones (${internal}) itself at start-up when it may.` : '.'),
  ].join('\n')
}
