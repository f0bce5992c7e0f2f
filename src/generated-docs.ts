import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { errorReference } from './error-reference'
import { metricsReference } from './metrics/reference'
import { repoRoot } from './dev/paths'

/** Files under docs/ generated from the code, by path from the repository root: `npm run docs` writes them. */
export const GENERATED_DOCS: Record<string, () => string> = {
  'docs/errors.md': errorReference,
  'docs/metrics.md': metricsReference,
}

if (require.main === module) {
  for (const [path, generate] of Object.entries(GENERATED_DOCS)) writeFileSync(join(repoRoot(), path), generate())
}
