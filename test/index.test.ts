import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../src/dev/paths'

test("package.json main is a real entry point exporting Bifrost's public surface", async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { main: string }
  const main = join(repoRoot(), pkg.main)
  assert.ok(existsSync(main), `${pkg.main} does not exist (run the build first)`)
  const bifrost = (await import(main)) as Record<string, unknown>
  for (const name of ['startBifrost', 'loadConfig', 'redactConfig', 'BifrostError', 'ConfigError', 'PartDiedError']) {
    assert.equal(typeof bifrost[name], 'function', name)
  }
  const { ConfigError, BifrostError } = bifrost as { ConfigError: new (i: unknown[]) => Error; BifrostError: Function }
  assert.ok(new ConfigError([]) instanceof BifrostError)
})
