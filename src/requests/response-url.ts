import type { FastifyRequest } from 'fastify'
import type { ServerHook } from '../http/server'

const taken = new WeakMap<FastifyRequest, unknown>()

/**
 * Takes `responseURL` out of every POST body before the framework sees it.
 * The framework keeps the raw body on the request and logs all of it with any
 * error (a 400 for a bad `data` included), and the URL is enough to resume the
 * run: it must exist only where Bifrost needs it. A root `preValidation` hook
 * runs after the body is parsed and before the framework's own `preHandler`.
 */
export const captureResponseUrl: ServerHook = (app) => {
  // A callback hook, not an async one: it runs on every bridge request, and a promise per request is measurable.
  app.addHook('preValidation', (req, _reply, done) => {
    const body = req.body as Record<string, unknown> | null | undefined
    if (body && typeof body === 'object' && 'responseURL' in body) {
      taken.set(req, body['responseURL'])
      delete body['responseURL']
    }
    done()
  })
}

/** The responseURL the request came with; undefined when it had none. */
export const responseUrlOf = (req: FastifyRequest): unknown => taken.get(req) ?? undefined
