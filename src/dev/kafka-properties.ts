/** Where one KRaft node listens, and where it keeps its data */
export interface NodePlacement {
  /** node.id, from 1 */
  id: number
  /** Client (PLAINTEXT) listener port */
  port: number
  /** KRaft controller listener port */
  controllerPort: number
  /** Its log.dirs */
  dataDir: string
  /** Client listeners besides PLAINTEXT (which the starter's own clients and the other nodes keep using) */
  secured?: SecuredListener[]
}

/** A client listener with security; SASL ones take SCRAM-SHA-512, TLS settings come as `listener.name.<name>.ssl.*` properties */
export interface SecuredListener {
  /** Listener name, e.g. `SECURE` */
  name: string
  protocol: 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL'
  port: number
}

const SCRAM_LOGIN = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'

const securedSettings = (listeners: SecuredListener[]): Record<string, string> =>
  Object.fromEntries(
    listeners
      .filter((l) => l.protocol.startsWith('SASL'))
      .flatMap((l) => [
        [`listener.name.${l.name.toLowerCase()}.sasl.enabled.mechanisms`, 'SCRAM-SHA-512'],
        [`listener.name.${l.name.toLowerCase()}.scram-sha-512.sasl.jaas.config`, SCRAM_LOGIN],
      ]),
  )

/**
 * The server.properties of one combined (broker + controller) KRaft node of a cluster of `nodes.length`.
 * `127.0.0.1`, never `localhost`, which may resolve to `::1` where nothing listens.
 * `overrides` are added last and so replace any default here (e.g. SASL listeners for a security test).
 */
export const serverProperties = (
  node: NodePlacement,
  nodes: NodePlacement[],
  overrides: Record<string, string> = {},
): string => {
  const size = nodes.length
  // One node cannot replicate; a cluster keeps one more copy than it needs to accept a write,
  // so one node may be down (or paused) while producers with acks=all still succeed.
  const minIsr = size > 1 ? '2' : '1'
  const secured = node.secured ?? []
  const listed = (l: { name: string; port: number }) => `${l.name}://127.0.0.1:${l.port}`
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(','),
    listeners: [
      `PLAINTEXT://127.0.0.1:${node.port}`,
      `CONTROLLER://127.0.0.1:${node.controllerPort}`,
      ...secured.map(listed),
    ].join(','),
    'advertised.listeners': [`PLAINTEXT://127.0.0.1:${node.port}`, ...secured.map(listed)].join(','),
    'listener.security.protocol.map': [
      'PLAINTEXT:PLAINTEXT',
      'CONTROLLER:PLAINTEXT',
      ...secured.map((l) => `${l.name}:${l.protocol}`),
    ].join(','),
    ...securedSettings(secured),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': node.dataDir,
    'num.partitions': '1',
    'default.replication.factor': String(size),
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': String(size),
    'transaction.state.log.replication.factor': String(size),
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': String(size),
    'share.coordinator.state.topic.min.isr': minIsr,
    // The defaults (50 each) mean 300 replicas to create and elect on three nodes, on two cores.
    // Coordinator placement and failover work the same with fewer partitions.
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.num.partitions': '10',
    // A consumer group's first member does not wait 3 s for others (tests start one member at a time).
    'group.initial.rebalance.delay.ms': '0',
    // Failover tests run the leader election with 1.5 s sessions so a standby takes over quickly; a stock
    // broker refuses sessions under 6 s (INVALID_SESSION_TIMEOUT), which Bifrost's defaults respect.
    'group.min.session.timeout.ms': '1000',
    // The default allocates 128 MiB of the 512 MiB heap at start; 2 MiB (the minimum is more than
    // 1 MiB per cleaner thread) still holds ~80,000 keys per cleaning pass, plenty for tests.
    'log.cleaner.dedupe.buffer.size': String(2 * 1024 * 1024),
    // The cleaner and retention start 30 s after boot and look for work every 15 s by default;
    // a test that waits for compaction would wait that long.
    'log.initial.task.delay.ms': '1000',
    'log.cleaner.backoff.ms': '1000',
    ...overrides,
  }
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
    .concat('\n')
}
