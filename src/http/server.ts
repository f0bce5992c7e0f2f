// The package's `main` points at a file it does not ship (Node warns DEP0128); import its index directly.
import { start, type ServerInstance } from '@chainlink/external-adapter-framework/index'
import type { Adapter } from '@chainlink/external-adapter-framework/adapter'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { stopInOrder, stopOnce } from '../lifecycle'
import { refuseMisshapenBodies } from './body-shape'
import type { LoggerFactory } from '@chainlink/external-adapter-framework/util/logger'
import { readinessReport, type ReadinessCheck } from './readiness'

const logger = makeLogger('Server')

export interface ServerHandle {
  /** Base URL of the adapter, e.g. http://127.0.0.1:8080 */
  url: string
  port: number
  metricsUrl?: string
  close(): Promise<void>
}

/** Sees the server before it listens, e.g. to add a hook that must run before the framework's own. */
export type ServerHook = (app: ServerInstance, adapter: Adapter) => void

const listen = async (app: ServerInstance, port: number, host: string): Promise<number> => {
  await app.listen({ port, host })
  const address = app.server.address()
  return typeof address === 'object' && address ? address.port : port
}

/**
 * The framework's own `expose` would do, but it offers no hook to add routes
 * before it listens; we need `/ready`, whose answer depends on Kafka catch-up.
 */
export const startServer = async (
  adapter: Adapter,
  checks: ReadinessCheck[],
  hooks: ServerHook[] = [],
  /** Every logger's sink (the framework's and Bifrost's); undefined keeps the framework's JSON lines */
  loggerFactory?: LoggerFactory,
): Promise<ServerHandle> => {
  const { api, metricsApi } = await start(adapter, loggerFactory ? { loggerFactory } : undefined)
  if (!api) throw new Error('EA_MODE must serve requests (reader or reader-writer) for Bifrost')
  // The framework registers its routes as a plugin that loads on listen(), so
  // root hooks added now still run before its own.
  for (const hook of [refuseMisshapenBodies, ...hooks]) hook(api, adapter)
  api.get('/ready', async (_, reply) => {
    const report = readinessReport(checks)
    return reply.code(report.ready ? 200 : 503).send(report)
  })
  const settings = adapter.config.settings
  const port = await listen(api, settings.EA_PORT, settings.EA_HOST)
  const host = settings.EA_HOST === '::' || settings.EA_HOST === '0.0.0.0' ? '127.0.0.1' : settings.EA_HOST
  let metricsUrl: string | undefined
  if (metricsApi) {
    const metricsPort = await listen(metricsApi, settings.METRICS_PORT, settings.EA_HOST)
    metricsUrl = `http://${host}:${metricsPort}/metrics`
    logger.info(`Metrics on ${metricsUrl}`)
  }
  logger.info(`Adapter listening on http://${host}:${port}`)
  return {
    url: `http://${host}:${port}`,
    port,
    metricsUrl,
    // Once, and the metrics server closes even if the adapter's close fails.
    close: stopOnce(() => stopInOrder([() => api.close(), async () => metricsApi?.close()])),
  }
}
