import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'smol-toml'
import { repoRoot } from '../../src/dev/paths'

/*
 * A golden-file check of job spec TOML, not a Chainlink node: no node can run
 * here, so each job type's required fields (test/golden/job-specs/<type>.json,
 * taken from the node's code and docs) and the attributes each pipeline task
 * needs are checked instead. It catches a missing field, a wrong constant, a
 * malformed schedule, a task without its attributes, requestData that is not
 * JSON, and an edge to a task that does not exist.
 */

type Requirement =
  { const: string | number } | { kind: 'string' | 'address' | 'chain-id' | 'uint32' | 'pipeline'; pattern?: string }

interface Golden {
  type: string
  /** Set for job types a current node no longer has */
  legacy?: string
  required: Record<string, Requirement>
}

interface TaskRule {
  required: string[]
  json?: string[]
  oneOf?: Record<string, string[]>
}

const goldenDir = () => join(repoRoot(), 'test', 'golden', 'job-specs')
const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(goldenDir(), name), 'utf8')) as T

/** The golden file of a job type; undefined when there is none (not a type this check knows). */
export const goldenOf = (type: string): Golden | undefined => {
  try {
    return readJson<Golden>(`${type}.json`)
  } catch {
    return undefined
  }
}

interface Task {
  id: string
  attrs: Record<string, string>
}

/** The tasks and edges of an observationSource (the node's DOT dialect: quoted, <angle> or bare values). */
export const parsePipeline = (
  source: string,
): { tasks: Map<string, Task>; edges: Array<[string, string]>; problems: string[] } => {
  const tasks = new Map<string, Task>()
  const edges: Array<[string, string]> = []
  const problems: string[] = []
  let i = 0
  const at = () => source[i]
  const skipSpace = () => {
    for (;;) {
      while (i < source.length && /[\s;,]/.test(at())) i++
      if (source.startsWith('//', i)) while (i < source.length && at() !== '\n') i++
      else return
    }
  }
  const ident = (): string => {
    const start = i
    while (i < source.length && /[A-Za-z0-9_]/.test(at())) i++
    return source.slice(start, i)
  }
  const value = (): string => {
    if (at() === '"') {
      let out = ''
      for (i++; i < source.length && at() !== '"'; i++) {
        if (at() === '\\' && i + 1 < source.length) i++
        out += at()
      }
      i++
      return out
    }
    if (at() === '<') {
      const end = source.indexOf('>', i)
      const out = source.slice(i + 1, end === -1 ? source.length : end)
      i = end === -1 ? source.length : end + 1
      return out
    }
    const start = i
    while (i < source.length && !/[\s\],;]/.test(at())) i++
    return source.slice(start, i)
  }
  let previous: string | undefined
  let chained = false
  for (skipSpace(); i < source.length; skipSpace()) {
    if (source.startsWith('->', i)) {
      i += 2
      chained = true
      continue
    }
    const id = ident()
    if (!id) {
      problems.push(`unexpected ${JSON.stringify(at())} at offset ${i}`)
      i++
      continue
    }
    if (chained && previous) edges.push([previous, id])
    chained = false
    previous = id
    const save = i
    while (i < source.length && /[ \t]/.test(at())) i++
    if (at() !== '[') {
      i = save
      continue
    }
    i++
    const attrs: Record<string, string> = {}
    for (skipSpace(); i < source.length && at() !== ']'; skipSpace()) {
      const key = ident()
      if (!key) {
        problems.push(`task ${id}: unexpected ${JSON.stringify(at())} in its attributes`)
        i++
        continue
      }
      while (/\s/.test(at())) i++
      if (at() !== '=') {
        problems.push(`task ${id}: attribute ${key} has no value`)
        continue
      }
      i++
      while (/\s/.test(at())) i++
      attrs[key] = value()
    }
    i++
    if (tasks.has(id)) problems.push(`task ${id} is declared twice`)
    tasks.set(id, { id, attrs })
  }
  return { tasks, edges, problems }
}

/** `$(a.b)` variables stand for values; with them replaced by a number the attribute must be JSON. */
const isJsonWithVariables = (text: string): boolean => {
  try {
    JSON.parse(text.replace(/\$\([A-Za-z0-9_.]+\)/g, '0'))
    return true
  } catch {
    return false
  }
}

const checkPipeline = (field: string, source: string): string[] => {
  const rules = readJson<{ tasks: Record<string, TaskRule> }>('pipeline-tasks.json').tasks
  const { tasks, edges, problems } = parsePipeline(source)
  const out = problems.map((p) => `${field}: ${p}`)
  if (tasks.size === 0) out.push(`${field}: no tasks`)
  for (const [from, to] of edges) {
    for (const end of [from, to])
      if (!tasks.has(end)) out.push(`${field}: edge ${from} -> ${to} names ${end}, which is not declared`)
  }
  for (const task of tasks.values()) {
    const type = task.attrs['type']
    const rule = type ? rules[type] : undefined
    if (!rule) {
      out.push(`${field}: task ${task.id} has ${type ? `the unknown type "${type}"` : 'no type'}`)
      continue
    }
    for (const attr of rule.required) if (!task.attrs[attr]) out.push(`${field}: ${type} task ${task.id} lacks ${attr}`)
    for (const attr of rule.json ?? []) {
      const text = task.attrs[attr]
      if (text !== undefined && !isJsonWithVariables(text))
        out.push(`${field}: ${type} task ${task.id}: ${attr} is not JSON: ${text}`)
    }
    for (const [attr, allowed] of Object.entries(rule.oneOf ?? {})) {
      const text = task.attrs[attr]
      if (text !== undefined && !allowed.includes(text))
        out.push(`${field}: ${type} task ${task.id}: ${attr} must be ${allowed.join(' or ')}`)
    }
  }
  return out
}

const lookup = (spec: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec)

const checkField = (path: string, value: unknown, requirement: Requirement): string[] => {
  if (value === undefined) return [`${path} is missing`]
  if ('const' in requirement) {
    return value === requirement.const
      ? []
      : [`${path} must be ${JSON.stringify(requirement.const)}, not ${JSON.stringify(value)}`]
  }
  switch (requirement.kind) {
    case 'pipeline':
      return typeof value === 'string' ? checkPipeline(path, value) : [`${path} must be a string`]
    case 'address':
      return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)
        ? []
        : [`${path} must be a 0x address, not ${JSON.stringify(value)}`]
    case 'chain-id':
      return /^[1-9]\d*$/.test(String(value)) &&
        (typeof value === 'string' || typeof value === 'bigint' || typeof value === 'number')
        ? []
        : [`${path} must be a chain id, not ${JSON.stringify(value)}`]
    case 'uint32':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff
        ? []
        : [`${path} must be a uint32`]
    case 'string':
      if (typeof value !== 'string' || value === '') return [`${path} must be a non-empty string`]
      return requirement.pattern && !new RegExp(requirement.pattern).test(value)
        ? [`${path} ${JSON.stringify(value)} does not match ${requirement.pattern}`]
        : []
  }
}

export interface JobSpecCheck {
  /** The spec's `type`, when it parsed */
  type?: string
  /** Set for a job type current nodes no longer have */
  legacy?: string
  problems: string[]
}

/** Parses `text` as TOML and checks it against the golden file of its `type`. */
export const checkJobSpec = (text: string): JobSpecCheck => {
  let spec: Record<string, unknown>
  try {
    spec = parse(text) as Record<string, unknown>
  } catch (err) {
    return { problems: [`not TOML: ${(err as Error).message}`] }
  }
  const type = typeof spec['type'] === 'string' ? spec['type'] : undefined
  const golden = type ? goldenOf(type) : undefined
  if (!type || !golden)
    return { type, problems: [`type ${JSON.stringify(spec['type'])} has no golden file in test/golden/job-specs`] }
  const problems = Object.entries(golden.required).flatMap(([path, requirement]) =>
    checkField(path, lookup(spec, path), requirement),
  )
  return { type, legacy: golden.legacy, problems }
}
