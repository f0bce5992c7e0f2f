import { AdapterEndpoint } from '@chainlink/external-adapter-framework/adapter'
import type { Transport, TransportGenerics } from '@chainlink/external-adapter-framework/transports'
import { buildAdapter } from '../src/http/adapter'
import { startServer } from '../src/http/server'
import { feedInputParameters } from '../src/inbound/feed-endpoint'

/*
 * The throughput baseline, run as its own process: the same framework and
 * server set-up as Bifrost, and an endpoint `feed` taking the same input
 * parameters (so the framework validates the same request the same way), whose
 * transport answers a constant from foregroundExecute.
 */

const transport: Transport<TransportGenerics> = {
  name: 'constant',
  get responseCache(): never {
    throw new Error('the constant transport has no cache')
  },
  initialize: async () => undefined,
  foregroundExecute: async () => {
    const now = Date.now()
    return {
      data: { result: 3001 },
      result: 3001,
      statusCode: 200,
      timestamps: {
        providerDataRequestedUnixMs: now,
        providerDataReceivedUnixMs: now,
        providerIndicatedTimeUnixMs: now,
      },
    }
  },
}

const main = async () => {
  const server = await startServer(
    buildAdapter([new AdapterEndpoint({ name: 'feed', transport, inputParameters: feedInputParameters })]),
    [],
  )
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
