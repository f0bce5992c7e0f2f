import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import { repoRoot } from '../src/dev/paths'
import { ERROR_CODES, RETIRED_ERROR_CODES, type ErrorCode } from '../src/error-codes'
import { errorReference } from '../src/error-reference'
import { BifrostError } from '../src/errors'
import { NoEndpointError } from '../src/chain/failover'
import { ReorgTooDeepError } from '../src/chain/block-tracker'

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

/** Every `class X extends BifrostError` in src/, with the compiled module that exports it. */
const declaredClasses = (): { name: string; module: string }[] =>
  sourceFiles(join(repoRoot(), 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/export (?:abstract )?class (\w+) extends BifrostError\b/g)].map((m) => ({
      name: m[1]!,
      module: join(__dirname, '../src', relative(join(repoRoot(), 'src'), file).replace(/\.ts$/, '.js')),
    })),
  )

describe('error catalogue', () => {
  test('every BifrostError subclass in src carries the catalogue code that names it', async () => {
    const classes = declaredClasses()
    assert.ok(classes.length > 40, `found only ${classes.length} classes: is the scan broken?`)
    for (const { name, module } of classes) {
      const exported = ((await import(module)) as Record<string, unknown>)[name] as typeof BifrostError | undefined
      assert.ok(exported, `${name} is not exported by ${module}`)
      const code = exported.code as ErrorCode | undefined
      assert.ok(code && ERROR_CODES[code], `${name} has no code of the catalogue (static code = ${String(code)})`)
      assert.equal(ERROR_CODES[code].className, name, `${code} names another class`)
    }
    const declared = new Set(classes.map((c) => c.name))
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      if (entry.className) assert.ok(declared.has(entry.className), `${code} names ${entry.className}, not in src`)
      else assert.ok(entry.http, `${code} has neither a class nor an HTTP answer: nothing can raise it`)
    }
  })

  test('an error says its code and whether a retry can help', () => {
    const down = new NoEndpointError('all endpoints are down')
    assert.equal(down.code, 'BIFROST_RPC_NO_ENDPOINT')
    assert.equal(down.retryable, true)
    const deep = new ReorgTooDeepError('reorg below the window')
    assert.equal(deep.code, 'BIFROST_REORG_TOO_DEEP')
    assert.equal(deep.retryable, false)
    assert.ok(deep instanceof BifrostError)
  })

  test('codes are well-formed, and a retired code is never given out again', () => {
    for (const code of Object.keys(ERROR_CODES)) assert.match(code, /^BIFROST_[A-Z0-9_]+$/)
    for (const code of RETIRED_ERROR_CODES) {
      assert.ok(!(code in ERROR_CODES), `${code} is retired and must not be reused`)
    }
    assert.equal(new Set(RETIRED_ERROR_CODES).size, RETIRED_ERROR_CODES.length)
  })

  test('docs/errors.md is what `npm run docs` generates from the catalogue', () => {
    const docs = readFileSync(join(repoRoot(), 'docs/errors.md'), 'utf8')
    assert.equal(docs, errorReference(), 'docs/errors.md is out of date: run `npm run docs`')
  })
})
