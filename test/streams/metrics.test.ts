import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../../src/dev/paths'
import { streamMetrics } from '../../src/streams/metrics'

test('docs/streams.md lists every streams metric, and only those', () => {
  const names = Object.values(streamMetrics()).map((m) => (m as unknown as { name: string }).name)
  const docs = readFileSync(join(repoRoot(), 'docs', 'streams.md'), 'utf8')
  const documented = [...docs.matchAll(/^\| `(bifrost_streams_[a-z_]+)` \|/gm)].map((m) => m[1])
  assert.deepEqual(documented.sort(), names.sort())
})
