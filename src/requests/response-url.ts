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
  app.addHook('preValidation', async (req) => {
    const body = req.body as Record<string, unknown> | null | undefined
    if (body && typeof body === 'object' && 'responseURL' in body) {
      taken.set(req, body['responseURL'])
      delete body['responseURL']
    }
  })
}

/** The responseURL the request came with; undefined when it had none. */
export const responseUrlOf = (req: FastifyRequest): unknown => taken.get(req) ?? undefined
