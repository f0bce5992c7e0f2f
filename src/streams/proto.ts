import { join } from 'node:path'
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { repoRoot } from '../dev/paths'
import type { Json } from '../json'

/** The node's protocol, as the repository keeps it (copied into the image beside dist/). */
export const PROTO_FILE = join('proto', 'streams', 'v1', 'stream.proto')

/** A google.protobuf.Value as @grpc/proto-loader decodes it (`oneofs: true` names the set field in `kind`). */
export interface StructValue {
  kind?: 'nullValue' | 'numberValue' | 'stringValue' | 'boolValue' | 'structValue' | 'listValue'
  nullValue?: unknown
  numberValue?: number
  stringValue?: string
  boolValue?: boolean
  structValue?: Struct
  listValue?: { values?: StructValue[] }
}

export interface Struct {
  fields?: Record<string, StructValue>
}

export interface SubscribeRequest {
  subscriptions?: Array<{ data?: Struct | null }>
}

export interface SubscribeResponse {
  timestamp: string
  observation_json: Buffer
  payload_hash: Buffer
}

let service: ServiceClientConstructor | undefined

/** `streams.v1.StreamService`: its definition for a server (`.service`), and a client constructor. */
export const streamService = (): ServiceClientConstructor => {
  if (service) return service
  const definition = loadSync(join(repoRoot(), PROTO_FILE), { keepCase: true, defaults: false, oneofs: true })
  const v1 = (loadPackageDefinition(definition)['streams'] as GrpcObject)['v1'] as GrpcObject
  return (service = v1['StreamService'] as ServiceClientConstructor)
}

/**
 * The value Go's structpb `AsMap` gives the node for the same Struct: what it
 * marshals for the payload hash. An unset value is null there too.
 */
export const structToJson = (struct: Struct | null | undefined): { [key: string]: Json } => {
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value)
  return out
}

const valueToJson = (value: StructValue): Json => {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue ?? 0
    case 'stringValue':
      return value.stringValue ?? ''
    case 'boolValue':
      return value.boolValue ?? false
    case 'structValue':
      return structToJson(value.structValue)
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson)
    default:
      return null
  }
}
