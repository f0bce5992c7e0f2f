import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let root: string | undefined

/**
 * The checkout's root, found from this file so it works both compiled
 * (dist/src/dev) and run from source (src/dev) by tsx.
 */
export const repoRoot = (): string => {
  if (root) return root
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bifrost') {
      return (root = dir)
    }
  }
  throw new Error(`cannot find the bifrost checkout above ${__dirname}`)
}

/** A folder under the ignored `.cache/` for build products that are slow to make (broker, contract artifacts). */
export const cacheDir = (name: string): string => join(repoRoot(), '.cache', name)
