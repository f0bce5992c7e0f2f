import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { ConfigError, type ConfigIssue } from '../errors'
import { redactUrl } from '../redact'
import { configJsonSchema, describeSettings, type SettingInfo } from './describe'
import { configSchema, type Config } from './schema'
import { unknownKeys } from './unknown-keys'

export interface LoadConfigOptions {
  /** YAML or JSON file; falls back to `BIFROST_CONFIG` */
  file?: string
  env?: NodeJS.ProcessEnv
  /** Values applied under the file and the environment (used by `bifrost dev`) */
  defaults?: Record<string, unknown>
}

type Raw = Record<string, unknown>

const readFile = (file: string): Raw => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new ConfigError([{ path: '(file)', message: `cannot read ${file}: ${(cause as Error).message}` }], { cause })
  }
  let parsed: unknown
  try {
    // YAML is a superset of JSON, so one parser serves both formats.
    parsed = parseYaml(text)
  } catch (cause) {
    throw new ConfigError(
      [{ path: '(file)', message: `${file} is not valid YAML/JSON: ${(cause as Error).message}` }],
      {
        cause,
      },
    )
  }
  if (parsed == null) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ path: '(file)', message: `${file} must hold an object at the top level` }])
  }
  return parsed as Raw
}

/** Environment variables are strings; turn them into what the schema expects so zod judges the value, not its spelling. */
const fromEnv = (setting: SettingInfo, text: string): unknown => {
  if (setting.type.startsWith('list of object') || setting.type === 'object') {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  if (setting.type.startsWith('list of')) {
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  }
  if (setting.type === 'number' || setting.type === 'integer') {
    const n = Number(text)
    return text.trim() === '' || Number.isNaN(n) ? text : n
  }
  if (setting.type === 'boolean') {
    if (/^(true|1|yes)$/i.test(text)) return true
    if (/^(false|0|no)$/i.test(text)) return false
    return text
  }
  return text
}

const setPath = (target: Raw, path: string, value: unknown): void => {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {}
    node = node[key] as Raw
  }
  node[keys[keys.length - 1]] = value
}

const merge = (base: Raw, over: Raw): Raw => {
  const out: Raw = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Raw, v as Raw)
        : v
  }
  return out
}

/**
 * Defaults < file < environment, then one zod validation of the result. A bad
 * setting fails here, at start-up, naming its path (and its variable when it came from one).
 * A key of the file that is no setting fails too; the environment is not checked
 * that way, since other programs share it.
 */
export const loadConfig = (options: LoadConfigOptions = {}): Config => {
  const env = options.env ?? process.env
  const file = options.file ?? env['BIFROST_CONFIG']
  const fromFile = file ? readFile(file) : {}
  const unknown = unknownKeys(
    fromFile,
    configJsonSchema(),
    describeSettings().map((s) => s.path),
  )
  const raw: Raw = merge(options.defaults ?? {}, fromFile)
  const fromEnvPaths = new Map<string, string>()
  for (const setting of describeSettings()) {
    const text = setting.env ? env[setting.env] : undefined
    if (setting.env && text !== undefined && text !== '') {
      setPath(raw, setting.path, fromEnv(setting, text))
      fromEnvPaths.set(setting.path, setting.env)
    }
  }
  const result = configSchema.safeParse(raw)
  if (result.success && unknown.length === 0) return result.data
  const issues: ConfigIssue[] = [...unknown]
  for (const issue of result.error?.issues ?? []) {
    const path = issue.path.map(String).join('.')
    // Strict objects (a chain, a contract) refuse unknown keys themselves; the file's are reported above, with a suggestion.
    if (
      issue.code === 'unrecognized_keys' &&
      issue.keys.every((k) => unknown.some((u) => u.path === [path, k].filter(Boolean).join('.')))
    ) {
      continue
    }
    const envName = [...fromEnvPaths].find(([p]) => path === p || path.startsWith(`${p}.`))?.[1]
    issues.push({ path, message: envName ? `${issue.message} (from ${envName})` : issue.message })
  }
  throw new ConfigError(issues, { source: file })
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i

const redactUrls = (value: unknown): unknown => {
  if (typeof value === 'string') return URL_LIKE.test(value) ? redactUrl(value) : value
  if (Array.isArray(value)) return value.map(redactUrls)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactUrls(v)]))
  }
  return value
}

/** The configuration with every secret replaced and every URL cut to scheme and host, safe to print or log. */
export const redactConfig = (config: Config): Raw => {
  const copy = redactUrls(config) as Raw
  for (const setting of describeSettings()) {
    if (!setting.secret) continue
    const keys = setting.path.split('.')
    let node: Raw | undefined = copy
    for (const key of keys.slice(0, -1)) node = node?.[key] as Raw | undefined
    const last = keys[keys.length - 1]
    if (node && node[last] !== undefined) node[last] = '***'
  }
  return copy
}
