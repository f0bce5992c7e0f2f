import { credentials, type ClientDuplexStream } from '@grpc/grpc-js'
import type { Json } from '../../src/json'
import { goJsonMarshal } from '../../src/streams/go-json'
import { hashedBridgeName, payloadHash } from '../../src/streams/payload-hash'
import {
  streamService,
  type StructValue,
  type Struct,
  type SubscribeRequest,
  type SubscribeResponse,
} from '../../src/streams/proto'

/** One response the stand-in accepted (its hash named an asset it had registered). */
export interface AcceptedObservation {
  /** The asset's data, Go-marshaled (also the key of `read`) */
  key: string
  observation: {
    result: unknown
    data: { result: unknown; [key: string]: unknown }
    statusCode: number
    timestamps: { providerDataReceivedUnixMs: number; providerIndicatedTimeUnixMs?: number; [key: string]: unknown }
  }
  timestamp: string
  /** Which stream (1 for the first connection, 2 after a reconnect, ...) delivered it */
  connection: number
  /** performance.now() on arrival */
  receivedAt: number
}

export interface StandInOptions {
  /** host:port of Bifrost's streaming bridge */
  address: string
  /** TLS (an https:// bridge URL) trusting these CAs, where the node trusts the system's; plaintext without */
  rootCerts?: Buffer
  /** The bridge name as registered on the node (a `bridge-` prefix is left out of the hash, as the node does) */
  bridgeName: string
  /** How often the complete set is sent (the node: 10 s) */
  snapshotMs?: number
  /** An asset no run asked for in this long leaves the next set (the node: 30 s) */
  idleMs?: number
  /** How long an observation serves runs (the node: 60 s) */
  cacheMs?: number
  /** First reconnect delay, doubling up to maxBackoffMs (the node: 1 s to 1 min) */
  initialBackoffMs?: number
  maxBackoffMs?: number
}

/**
 * A stand-in for the Chainlink node's bridge connection manager, the client
 * side of a bridge with useConnectionManager=true, built from what the node
 * does (see docs/streams.md): one bidirectional stream per bridge, the complete
 * subscription set every `snapshotMs`, idle assets left out, responses accepted
 * only with the sha256 payload hash of an asset it registered, observations
 * cached for `cacheMs`, reconnects with doubling backoff. Not the node: no job
 * runs, no pipeline; tests call `use` where a run would ask for an asset.
 */
export interface StandInConnectionManager {
  /** A run asked for `data`: it joins the next set and stays while used within idleMs */
  use(data: { [key: string]: Json }): void
  /** What a run would read now: the cached observation, or undefined on a miss or an expired entry */
  read(data: { [key: string]: Json }): AcceptedObservation | undefined
  /** Every accepted response, in arrival order */
  readonly accepted: readonly AcceptedObservation[]
  /** Responses refused: wrong hash length, or a hash of no registered asset */
  readonly rejected: number
  /** Streams opened so far */
  readonly connections: number
  /** The keys of the set last sent */
  readonly lastSet: readonly string[]
  stop(): Promise<void>
}

const toValue = (value: Json): StructValue => {
  if (value === null) return { nullValue: 'NULL_VALUE' }
  if (typeof value === 'number') return { numberValue: value }
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } }
  return { structValue: toStruct(value) }
}

/** What structpb.NewStruct makes of the node's requestData.data. */
const toStruct = (data: { [key: string]: Json }): Struct => ({
  fields: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, toValue(v)])),
})

export const startStandInConnectionManager = ({
  address,
  rootCerts,
  bridgeName,
  snapshotMs = 10_000,
  idleMs = 30_000,
  cacheMs = 60_000,
  initialBackoffMs = 1_000,
  maxBackoffMs = 60_000,
}: StandInOptions): StandInConnectionManager => {
  const Client = streamService()
  const client = new Client(address, rootCerts ? credentials.createSsl(rootCerts) : credentials.createInsecure())
  const name = hashedBridgeName(bridgeName)
  const assets = new Map<string, { key: string; data: { [key: string]: Json }; lastUsed: number }>()
  const cache = new Map<string, { observation: AcceptedObservation; expires: number }>()
  const accepted: AcceptedObservation[] = []
  let rejected = 0
  let connections = 0
  let lastSet: string[] = []
  let call: ClientDuplexStream<SubscribeRequest, SubscribeResponse> | undefined
  let backoffMs = initialBackoffMs
  let reconnect: NodeJS.Timeout | undefined
  let stopped = false

  const sendSet = () => {
    const now = Date.now()
    for (const [hash, asset] of assets) if (now - asset.lastUsed > idleMs) assets.delete(hash)
    lastSet = [...assets.values()].map((a) => a.key)
    call?.write({ subscriptions: [...assets.values()].map((a) => ({ data: toStruct(a.data) })) })
  }

  const connect = () => {
    if (stopped) return
    connections++
    const connection = connections
    const stream = client['Subscribe']() as ClientDuplexStream<SubscribeRequest, SubscribeResponse>
    call = stream
    stream.on('data', (response: SubscribeResponse) => {
      const receivedAt = performance.now()
      backoffMs = initialBackoffMs
      const asset = response.payload_hash.length === 32 ? assets.get(response.payload_hash.toString('hex')) : undefined
      if (!asset) {
        rejected++
        return
      }
      const observation: AcceptedObservation = {
        key: asset.key,
        observation: JSON.parse(response.observation_json.toString('utf8')) as AcceptedObservation['observation'],
        timestamp: response.timestamp,
        connection,
        receivedAt,
      }
      accepted.push(observation)
      cache.set(asset.key, { observation, expires: Date.now() + cacheMs })
    })
    let ended = false
    const retry = () => {
      if (ended) return
      ended = true
      if (call === stream) call = undefined
      if (stopped) return
      reconnect = setTimeout(connect, backoffMs)
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs)
    }
    stream.on('error', retry)
    stream.on('end', retry)
    sendSet()
  }

  const snapshots = setInterval(sendSet, snapshotMs)
  connect()

  const keyOf = (data: { [key: string]: Json }) => goJsonMarshal(data)
  return {
    use: (data) => {
      const key = keyOf(data)
      const hash = payloadHash(name, key).toString('hex')
      const asset = assets.get(hash)
      if (asset) asset.lastUsed = Date.now()
      else assets.set(hash, { key, data, lastUsed: Date.now() })
    },
    read: (data) => {
      const entry = cache.get(keyOf(data))
      return entry && entry.expires > Date.now() ? entry.observation : undefined
    },
    accepted,
    get rejected() {
      return rejected
    },
    get connections() {
      return connections
    },
    get lastSet() {
      return lastSet
    },
    stop: async () => {
      stopped = true
      clearInterval(snapshots)
      clearTimeout(reconnect)
      call?.cancel()
      client.close()
    },
  }
}
