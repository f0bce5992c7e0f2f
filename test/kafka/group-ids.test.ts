import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import { repoRoot } from '../../src/dev/paths'
import { consumerGroups, throwawayGroup } from '../../src/kafka/group-ids'

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

describe('consumer group ids', () => {
  test('every group Bifrost joins starts with kafka.clientId, so one prefixed ACL covers them all', () => {
    for (const [part, build] of Object.entries(consumerGroups)) {
      const id = (build as (clientId: string, chain: string) => string)('acme-bridge', 'eth')
      assert.ok(id.startsWith('acme-bridge'), `${part}: ${id} escapes the prefix`)
      assert.ok(throwawayGroup(id).startsWith(`${id}.`), `${part}: a throwaway group under ${id} escapes it`)
    }
  })

  test('the ids whose offsets are committed keep the names of earlier versions', () => {
    assert.equal(consumerGroups.requests('bifrost'), 'bifrost-requests')
    assert.equal(consumerGroups.eventsLeader('bifrost', 'eth'), 'bifrost.events.eth')
  })

  test('no group id is built outside src/kafka/group-ids.ts (dev stand-ins for other systems aside)', () => {
    const src = join(repoRoot(), 'src')
    const literal = /\bgroup(?:Id|IdPrefix|Prefix)\s*[:=]\s*[`'"]/
    const offenders = sourceFiles(src)
      .map((file) => relative(src, file))
      .filter((file) => !file.startsWith('dev/') && file !== join('kafka', 'group-ids.ts'))
      .flatMap((file) =>
        readFileSync(join(src, file), 'utf8')
          .split('\n')
          .filter((line) => literal.test(line))
          .map((line) => `${file}: ${line.trim()}`),
      )
    assert.deepEqual(offenders, [])
  })
})

test('the README lists the prefix of every consumer group, as the code builds it', () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')
  const listed = [...readme.matchAll(/^\| `(<clientId>[^`]*)` \|/gm)].map((m) => m[1]!)
  const random = /[0-9a-f]{8,}|[0-9a-f-]{36}/g
  for (const [part, build] of Object.entries(consumerGroups)) {
    const id = (build as (clientId: string, chain: string) => string)('<clientId>', '<chain>')
    const shape = id.replace(`-${process.pid}-`, '-<pid>-').replace(/-feeds-[^<]+-<pid>/, '-feeds-<host>-<pid>')
    const known = listed.some((row) => row === shape || row.startsWith(shape.replace(random, '<random>')))
    assert.ok(known, `${part}: ${shape} is not in the README's consumer group list`)
  }
  assert.equal(listed.length, Object.keys(consumerGroups).length, 'the README lists a group the code does not build')
})
