import { z } from 'zod'

/** The node caches an observation for 60 s; a refresh must land before the entry expires. */
export const NODE_CACHE_SECONDS = 60

// The characters the node allows in a bridge name (core/bridges ParseBridgeName).
const bridgeName = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'expected the bridge name as registered on the node: letters, digits, "-" and "_"')

export const streamSettings = z
  .object({
    enabled: z.boolean().default(true).meta({
      description:
        'Serve the gRPC streaming bridge (StreamService/Subscribe) to nodes whose bridge has useConnectionManager=true.',
      env: 'STREAMS_ENABLED',
    }),
    host: z
      .string()
      .min(1)
      .default('0.0.0.0')
      .meta({ description: 'Address the streaming bridge listens on.', env: 'STREAMS_HOST' }),
    port: z.number().int().min(0).max(65_535).default(8090).meta({
      description:
        "Port of the streaming bridge; the node dials its bridge URL's host:port, so register http://<bifrost host>:<this port> (0: any free port).",
      env: 'STREAMS_PORT',
    }),
    bridgeName: bridgeName.default('bifrost').meta({
      description:
        'Name every node registers the streaming bridge under (a "bridge-" prefix is ignored, as the node does). It is part of the payload hash: a node that registered another name drops every observation. Default: the bridge name in adapter.json.',
      env: 'STREAMS_BRIDGE_NAME',
    }),
    refreshSeconds: z
      .number()
      .positive()
      .lt(NODE_CACHE_SECONDS, {
        message: `must be less than ${NODE_CACHE_SECONDS}: the node keeps an observation ${NODE_CACHE_SECONDS} s, a refresh must come sooner`,
      })
      .default(20)
      .meta({
        description: `Resend an unchanged, still fresh answer this often, so the node's ${NODE_CACHE_SECONDS} s cache entry never expires while the feed is healthy.`,
        env: 'STREAMS_REFRESH_SECONDS',
      }),
    tlsCert: z.string().min(1).optional().meta({
      description: 'PEM certificate chain file; with tlsKey the stream is served over TLS (for https:// bridge URLs).',
      env: 'STREAMS_TLS_CERT',
    }),
    tlsKey: z.string().min(1).optional().meta({
      description: 'PEM private key file of tlsCert.',
      env: 'STREAMS_TLS_KEY',
    }),
  })
  .prefault({})
  .refine((s) => (s.tlsCert === undefined) === (s.tlsKey === undefined), {
    message: 'tlsCert and tlsKey go together: set both for TLS, or neither for plaintext',
    path: ['tlsKey'],
  })

export type StreamSettings = z.infer<typeof streamSettings>
