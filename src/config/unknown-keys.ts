import type { ConfigIssue } from '../errors'

/** The part of a JSON Schema node the walk needs: where keys may be, and what may hold them. */
export interface KeyedSchemaNode {
  properties?: Record<string, KeyedSchemaNode>
  additionalProperties?: boolean | KeyedSchemaNode
  items?: KeyedSchemaNode
}

/** Single-character edits between two words (insert, delete, replace), case ignored. */
const editDistance = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const row = [i]
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[y.length]
}

/** The candidate a typo most likely meant: few edits for its length, or the same word in another case. */
const closest = (word: string, candidates: Iterable<string>): string | undefined => {
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate)
    if (distance <= Math.max(1, Math.floor(candidate.length / 4)) && (!best || distance < best.distance)) {
      best = { candidate, distance }
    }
  }
  return best?.candidate
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Keys of a config file that no setting has, each with its path and, when one
 * is close, the setting probably meant (`feeds.maxAgeSecond` -> `feeds.maxAgeSeconds`;
 * a key one level off -> the path where it lives). zod would silently drop them,
 * leaving the user to believe a default they never see is their value.
 * `settingPaths` are every leaf setting, for the keys put at the wrong level.
 */
export const unknownKeys = (
  value: unknown,
  schema: KeyedSchemaNode,
  settingPaths: readonly string[],
): ConfigIssue[] => {
  const issues: ConfigIssue[] = []
  const walk = (node: unknown, at: KeyedSchemaNode, path: string[]): void => {
    if (Array.isArray(node)) {
      if (at.items) node.forEach((item, i) => walk(item, at.items!, [...path, String(i)]))
      return
    }
    // A union (anyOf) has no properties of its own: which branch applies is zod's to judge.
    if (!isObject(node) || !at.properties) return
    for (const [key, child] of Object.entries(node)) {
      const known = at.properties[key]
      if (known) {
        walk(child, known, [...path, key])
        continue
      }
      if (typeof at.additionalProperties === 'object') {
        walk(child, at.additionalProperties, [...path, key])
        continue
      }
      const here = [...path, key].join('.')
      const sibling = closest(key, Object.keys(at.properties))
      const elsewhere = sibling ? undefined : closest(key, new Set(settingPaths.map((p) => p.split('.').pop()!)))
      const meant = sibling
        ? [...path, sibling].join('.')
        : elsewhere && settingPaths.find((p) => p.split('.').pop() === elsewhere && p !== here)
      issues.push({ path: here, message: `unknown setting${meant ? ` (did you mean ${meant}?)` : ''}` })
    }
  }
  walk(value, schema, [])
  return issues
}
