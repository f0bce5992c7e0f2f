import { nestsDeeperThan } from '../json'
import type { ServerHook } from './server'

/**
 * Deepest a whole body may nest: far beyond any setting a field has (requests.maxDepth bounds params and meta) and far
 * below what overflows the framework's recursive handling (an `id` thousands of levels deep answered 500; test/fuzz).
 */
export const MAX_BODY_DEPTH = 256

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Why a bridge body cannot reach the framework's validation, or undefined when it can. */
const shapeProblem = (body: unknown): string | undefined => {
  if (!isObject(body)) return 'the body must be a JSON object like {"data": {...}}'
  if (nestsDeeperThan(body, MAX_BODY_DEPTH)) return `the body nests deeper than ${MAX_BODY_DEPTH} levels`
  if (body['data'] !== undefined && !isObject(body['data'])) return '[Param: data] must be a JSON object'
  const data = (body['data'] ?? {}) as Record<string, unknown>
  for (const [where, value] of [
    ['endpoint', body['endpoint']],
    ['data.endpoint', data['endpoint']],
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== 'string') return `[Param: ${where}] must be a string`
  }
  return undefined
}

/**
 * Refuses, with 400 and the field, bridge bodies the framework's own validation would crash on (and answer 500): a
 * body that is not an object or nests thousands of levels deep, a `data` that is not an object, an `endpoint` that is
 * not a string (it calls toLowerCase on it). Found by the fuzz suite (test/fuzz). A callback hook, like the responseURL one: it runs on every request.
 */
export const refuseMisshapenBodies: ServerHook = (app) => {
  app.addHook('preValidation', (req, reply, done) => {
    if (req.method !== 'POST' || req.url !== '/') return done()
    const problem = shapeProblem(req.body)
    if (!problem) return done()
    reply.code(400).send({ status: 'errored', statusCode: 400, error: { name: 'AdapterInputError', message: problem } })
  })
}
