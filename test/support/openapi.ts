import assert from 'node:assert/strict'
import Ajv2020 from 'ajv/dist/2020'
import { openApiDocument } from '../../src/http/api/openapi'

// Strict, except for the OpenAPI document's own keywords around the schemas.
const ajv = new Ajv2020({ strict: true, allErrors: true })
ajv.addKeyword('components')
// ISO 8601 as Date#toISOString writes it: the only form the API emits.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
ajv.addSchema({ $id: 'bifrost-api', components: openApiDocument.components })

type SchemaName = keyof typeof openApiDocument.components.schemas

/** The document's schema `name`, compiled strictly (throws when it is not valid JSON Schema 2020-12). */
export const apiSchema = (name: SchemaName) => {
  const validate = ajv.getSchema(`bifrost-api#/components/schemas/${name}`)
  assert.ok(validate, `no schema ${name}`)
  return validate
}

/** Fails the test unless `body` is valid under the document's schema `name` (#/components/schemas/<name>). */
export const assertMatchesApi = (name: SchemaName, body: unknown): void => {
  const validate = apiSchema(name)
  assert.ok(
    validate(body),
    `${name} does not match /api/openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(
      0,
      2000,
    )}`,
  )
}
