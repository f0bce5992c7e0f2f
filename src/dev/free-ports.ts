import { createServer, type Server } from 'node:net'

const listen = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })

/**
 * `count` distinct ports on 127.0.0.1 that were free a moment ago (all held open at once, so none
 * repeats). Another process may still take one before our child binds it: callers that
 * start a server on it retry with fresh ports when the bind fails.
 */
export const freePorts = async (count: number): Promise<number[]> => {
  const servers = await Promise.all(Array.from({ length: count }, listen))
  const ports = servers.map((s) => {
    const address = s.address()
    return typeof address === 'object' && address ? address.port : 0
  })
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

export const freePort = async (): Promise<number> => (await freePorts(1))[0]
