import { buildAdapter } from '../../src/http/adapter'
import { startServer, type ServerHandle } from '../../src/http/server'
import { feedEndpoint } from '../../src/inbound/feed-endpoint'
import type { FeedStore } from '../../src/inbound/feed-store'
import { feedSettings } from '../../src/inbound/settings'
import { createRequests } from '../../src/requests/service'
import { requestSettings } from '../../src/requests/settings'

/**
 * The real adapter with every bridge endpoint and its body validation, and no Kafka behind it: feeds answer from
 * `store` (always ready), and the request part is the one a feed replica runs (`requests.enabled: false`), which
 * validates a body in full and then answers 503. For tests of what a body alone can do.
 */
export const startBareAdapter = async (store: FeedStore): Promise<ServerHandle> => {
  process.env['EA_PORT'] = '0'
  process.env['METRICS_ENABLED'] = 'false'
  process.env['LOG_LEVEL'] ??= 'error'
  const requests = createRequests({
    kafka: undefined as never,
    settings: requestSettings.parse({ enabled: false }),
    clientId: 'bare',
  })
  const ready = { name: 'feeds', notReadyReason: () => undefined }
  const adapter = buildAdapter([feedEndpoint(store, feedSettings.parse({}), ready), requests.endpoint])
  return startServer(adapter, [ready], [requests.serverHook])
}
