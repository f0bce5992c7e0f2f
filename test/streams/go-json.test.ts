import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { repoRoot } from '../../src/dev/paths'
import type { Json } from '../../src/json'
import { goJsonMarshal } from '../../src/streams/go-json'
import { payloadHash } from '../../src/streams/payload-hash'

interface Vectors {
  generator: string
  bridgeName: string
  vectors: Array<{ name: string; input: string; go: string; payloadHash: string }>
}

// Printed by Go's own encoding/json; regenerate with the command in `generator`.
const { bridgeName, vectors } = JSON.parse(
  readFileSync(join(repoRoot(), 'test', 'streams', 'go-json-vectors.json'), 'utf8'),
) as Vectors

describe('goJsonMarshal prints what Go prints', () => {
  for (const vector of vectors) {
    test(vector.name, () => {
      const marshaled = goJsonMarshal(JSON.parse(vector.input) as Json)
      assert.equal(marshaled, vector.go)
      assert.equal(payloadHash(bridgeName, marshaled).toString('hex'), vector.payloadHash)
    })
  }

  test('the vectors cover every rule the node depends on', () => {
    const all = vectors.map((v) => v.go).join('\n')
    for (const expected of [
      '\\u003c',
      '\\u003e',
      '\\u0026',
      '\\u2028',
      '\\u2029',
      'S\\u0026P500/USD',
      '1e-7',
      '1e+21',
    ]) {
      assert.ok(all.includes(expected), `no vector prints ${expected}`)
    }
  })

  test('a value Go cannot encode is refused rather than printed differently', () => {
    assert.throws(() => goJsonMarshal({ value: Number.NaN }), /cannot encode NaN/)
    assert.throws(() => goJsonMarshal([Number.POSITIVE_INFINITY]), /cannot encode Infinity/)
  })
})
