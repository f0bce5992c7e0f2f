import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../../src/dev/paths'
import { INVALID_RECORD_CODES } from '../../src/inbound/feed-record'
import { DLQ_HEADERS } from '../../src/kafka/dead-letter'
import { EVENT_DEAD_LETTER_CODES } from '../../src/outbound/bound-message'
import { MALFORMED_REPLY_CODES } from '../../src/requests/records'

const doc = readFileSync(join(repoRoot(), 'docs', 'bad-input.md'), 'utf8')

/** The body of the `## ` section whose title starts with `title` */
const section = (title: string): string => {
  const start = doc.indexOf(`\n## ${title}`)
  assert.ok(start >= 0, `docs/bad-input.md has a "${title}" section`)
  const end = doc.indexOf('\n## ', start + 1)
  return doc.slice(start, end === -1 ? undefined : end)
}

/** Codes in the last column of a section's tables */
const documentedCodes = (text: string): string[] =>
  [...text.matchAll(/^\|.*\| `([a-z-]+)` \|$/gm)].map((m) => m[1]).sort()

test('docs/bad-input.md lists every dead-letter code, per direction, and nothing else', () => {
  assert.deepEqual(documentedCodes(section('Kafka → adapter')), [...INVALID_RECORD_CODES].sort())
  assert.deepEqual(documentedCodes(section('Adapter ↔ enterprise systems')), [...MALFORMED_REPLY_CODES].sort())
  assert.deepEqual(documentedCodes(section('Chain → Kafka')), [...EVENT_DEAD_LETTER_CODES].sort())
})

test('docs/bad-input.md names every dead-letter header', () => {
  const headers = section('Headers of a dead letter')
  for (const name of Object.values(DLQ_HEADERS)) assert.match(headers, new RegExp(`\`${name.replace(/\./g, '\\.')}\``))
})
