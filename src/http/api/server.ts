import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { BifrostError } from '../../errors'
import { stopOnce } from '../../lifecycle'
import { createApiApp, type ApiAppOptions } from './app'
import type { OperatorSources } from './sources'

const logger = makeLogger('OperatorApi')

export class ApiServerError extends BifrostError {
  static override readonly code = 'BIFROST_API_LISTEN_FAILED'
}

export interface ApiServer {
  /** The status page, e.g. http://127.0.0.1:8081/ */
  url: string
  port: number
  stop(): Promise<void>
}

const urlHost = (host: string): string => {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/** Listens on http.host:http.port with the page and /api; stop() also ends open event streams. */
export const startApiServer = async (sources: OperatorSources, options: ApiAppOptions = {}): Promise<ApiServer> => {
  const { host, port } = sources.config.http
  const { app, streamsEnded } = createApiApp(sources, options)
  const server: Server = app.listen(port, host)
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))])
  } catch (cause) {
    throw new ApiServerError(
      `Cannot listen on ${host}:${port} for the status page (http.host, http.port): ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  const bound = (server.address() as AddressInfo).port
  const url = `http://${urlHost(host)}:${bound}/`
  logger.info(`Status page and operator API on ${url}`)
  return {
    url,
    port: bound,
    // Once: a second call (while the first waits for the event streams) gets the first one's outcome.
    stop: stopOnce(async () => {
      if (!server.listening) return
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Event streams never end on their own.
      server.closeAllConnections()
      await closed
      await streamsEnded()
    }),
  }
}
