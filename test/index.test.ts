import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../src/dev/paths'

const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { main: string; types: string }

test("package.json main is a real entry point exporting Bifrost's public surface", async () => {
  const main = join(repoRoot(), pkg.main)
  assert.ok(existsSync(main), `${pkg.main} does not exist (run the build first)`)
  const bifrost = (await import(main)) as Record<string, unknown>
  for (const name of ['startBifrost', 'loadConfig', 'redactConfig', 'BifrostError', 'ConfigError', 'PartDiedError']) {
    assert.equal(typeof bifrost[name], 'function', name)
  }
  const { ConfigError, BifrostError } = bifrost as { ConfigError: new (i: unknown[]) => Error; BifrostError: Function }
  const invalid = new ConfigError([])
  assert.ok(invalid instanceof BifrostError)
  // The error catalogue is part of the surface: a caller maps a caught error's code to its entry.
  const codes = bifrost['ERROR_CODES'] as Record<string, { retryable: boolean }>
  const code = (invalid as Error & { code: string }).code
  assert.equal(code, 'BIFROST_CONFIG_INVALID')
  assert.equal(codes[code]?.retryable, false)
  assert.ok(Array.isArray(bifrost['RETIRED_ERROR_CODES']))
})

test('package.json types points at the declarations of that entry point', () => {
  const types = join(repoRoot(), pkg.types)
  assert.ok(existsSync(types), `${pkg.types} does not exist (run the build first)`)
  const declared = readFileSync(types, 'utf8')
  for (const name of ['startBifrost', 'loadConfig', 'Config', 'BifrostError', 'ERROR_CODES', 'ErrorCode']) {
    assert.match(declared, new RegExp(`\\b${name}\\b`), `${pkg.types} does not declare ${name}`)
  }
})
