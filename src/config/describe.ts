import { z } from 'zod'
import { configSchema } from './schema'
import type { KeyedSchemaNode } from './unknown-keys'

/** One leaf of the configuration, as users see it in the reference and the environment. */
export interface SettingInfo {
  path: string
  env?: string
  type: string
  default?: unknown
  description: string
  secret: boolean
}

interface JsonSchemaNode extends KeyedSchemaNode {
  type?: string | string[]
  properties?: Record<string, JsonSchemaNode>
  items?: JsonSchemaNode
  enum?: unknown[]
  anyOf?: JsonSchemaNode[]
  default?: unknown
  description?: string
  env?: string
  secret?: boolean
}

const typeName = (node: JsonSchemaNode): string => {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ')
  if (node.anyOf) return node.anyOf.map(typeName).join(' \\| ')
  if (node.type === 'array') return `list of ${node.items ? typeName(node.items) : 'any'}`
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any')
}

const walk = (node: JsonSchemaNode, prefix: string, out: SettingInfo[]): SettingInfo[] => {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key
    if (child.type === 'object' && child.properties) {
      walk(child, path, out)
      continue
    }
    out.push({
      path,
      env: child.env,
      type: typeName(child),
      default: child.default,
      description: child.description ?? '',
      secret: child.secret === true,
    })
  }
  return out
}

let jsonSchema: JsonSchemaNode | undefined
let settings: SettingInfo[] | undefined

/** The configuration as JSON Schema, as a file may spell it (input types, before defaults). */
export const configJsonSchema = (): JsonSchemaNode =>
  (jsonSchema ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode)

/** Every setting, derived from the zod schema so the two can never disagree. */
export const describeSettings = (): SettingInfo[] => (settings ??= walk(configJsonSchema(), '', []))
