import { MAX_EVENTS_LIMIT, MAX_SCANNED_RECORDS } from './events-query'

/*
 * The API's contract, served at /api/openapi.json. A test validates it against
 * the OpenAPI 3.1 schema and checks real responses against the schemas below,
 * so a field added to a view without its row here fails the build.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } })
const errors = {
  '400': json(ref('Error'), 'A query parameter is invalid; `parameter` names it'),
  '401': json(ref('Error'), 'http.token is set and the request carries neither the bearer token nor the page cookie'),
}
const timestamp = { type: 'string', format: 'date-time' }
const feedValue = { oneOf: [{ type: 'number' }, { type: 'string' }], description: 'A JSON number, or a decimal string' }
const point = { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2, maxItems: 2 }
const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
})
const filters = [
  query('chain', 'A configured chain name, or a chain id'),
  query('event', 'Event name, e.g. OracleRequest, OracleResponse, AnswerUpdated'),
  query('key', 'Exact record key'),
]
const positionText =
  'A position: per partition, the offset of the next record, written `partition:offset` joined by commas, e.g. `0:1234,1:98,2:7`'

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Bifrost operator API',
    version: '1',
    description:
      'What Bifrost sees, for people and for systems that cannot speak Kafka. When http.token is set, every /api route requires `Authorization: Bearer <token>` (the status page uses an HttpOnly cookie from its login form instead).',
  },
  servers: [{ url: '/api' }],
  security: [{ bearer: [] }, { cookie: [] }],
  paths: {
    '/overview': {
      get: {
        summary: 'Readiness and the size of each part',
        responses: { '200': json(ref('Overview'), 'Overview'), ...errors },
      },
    },
    '/feeds': {
      get: {
        summary: 'Feeds, sorted by id, one page at a time',
        parameters: [
          query('q', 'Case-insensitive part of the feed id'),
          query('offset', 'Feeds to skip', { type: 'integer', minimum: 0, default: 0 }),
          query('limit', 'Feeds per page', { type: 'integer', minimum: 1, maximum: 500, default: 50 }),
        ],
        responses: { '200': json(ref('FeedPage'), 'One page of feeds'), ...errors },
      },
    },
    '/feeds/{feed}': {
      get: {
        summary: 'One feed (URL-encode the id: ETH%2FUSD)',
        parameters: [{ name: 'feed', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(ref('Feed'), 'The feed'), '404': json(ref('Error'), 'Unknown feed'), ...errors },
      },
    },
    '/requests': {
      get: {
        summary: "This replica's open requests and recently answered ones (never a responseURL)",
        responses: { '200': json(ref('Requests'), 'Requests'), ...errors },
      },
    },
    '/requests/{correlationId}': {
      get: {
        summary: 'One open or recently answered request',
        parameters: [{ name: 'correlationId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': json(ref('RequestDetail'), 'The request'),
          '404': json(ref('Error'), 'Not open and not recently answered on this replica'),
          ...errors,
        },
      },
    },
    '/status': {
      get: {
        summary: 'The status model (the same one /status on the adapter port extends), with a section per running part',
        responses: { '200': json(ref('Status'), 'Status'), ...errors },
      },
    },
    '/chains': {
      get: { summary: 'Every configured chain', responses: { '200': json(ref('Chains'), 'Chains'), ...errors } },
    },
    '/kafka': {
      get: {
        summary: 'Consumer lag per topic, dead letters of the last hour (read from Kafka at most every 10 s)',
        responses: { '200': json(ref('Kafka'), 'Kafka'), ...errors },
      },
    },
    '/events': {
      get: {
        summary: `Oracle events read from the events topic, one page at a time (at most ${MAX_SCANNED_RECORDS} records read per call)`,
        description:
          'Newest first by default. Within a partition the order is Kafka’s; across partitions pages are merged by record timestamp, which Kafka does not promise to be ordered. A page can hold fewer than `limit` events when the filter matched few of the records read: continue with `next`.',
        parameters: [
          ...filters,
          query(
            'from',
            `${positionText}; newest-first pages end before it, oldest-first pages start at it. Also latest or earliest.`,
          ),
          query('order', 'newest (default) or oldest', { type: 'string', enum: ['newest', 'oldest'] }),
          query('limit', 'Events per page', { type: 'integer', minimum: 1, maximum: MAX_EVENTS_LIMIT, default: 100 }),
        ],
        responses: {
          '200': json(ref('EventPage'), 'One page'),
          '503': json(ref('Error'), 'Kafka could not be read'),
          ...errors,
        },
      },
    },
    '/events/stream': {
      get: {
        summary: 'Server-Sent Events of confirmed and retracted oracle events as they are published',
        description:
          'Each message is `id: <position>`, `event: confirmed|retracted`, `data: <Event as JSON>`. Reconnecting with `Last-Event-ID: <position>` resumes after the last event received, without a gap or a duplicate, also against a restarted Bifrost. Within a partition events keep Kafka’s order; across partitions no order is promised. A comment and the current position (`id:` alone) come every 15 s. A client that does not read fast enough gets `event: error` with `{"reason": …}` and is disconnected.',
        parameters: [
          ...filters,
          query(
            'from',
            `Where to start without Last-Event-ID: latest (default), earliest or a position. ${positionText}; a partition it leaves out is read from its beginning.`,
          ),
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: positionText,
          },
        ],
        responses: {
          '200': { description: 'The stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          '503': json(ref('Error'), 'Too many streams open'),
          ...errors,
        },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') } },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'The value of http.token (HTTP_TOKEN)' },
      cookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'bifrost_session',
        description: 'Set by POST /login (the status page)',
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string' }, parameter: { type: 'string' } },
        additionalProperties: false,
      },
      Overview: {
        type: 'object',
        required: [
          'version',
          'startedAt',
          'uptimeSeconds',
          'ready',
          'checks',
          'feeds',
          'requests',
          'chains',
          'eventsTopic',
        ],
        additionalProperties: false,
        properties: {
          version: { type: 'string' },
          startedAt: timestamp,
          uptimeSeconds: { type: 'number' },
          ready: { type: 'boolean' },
          checks: {
            type: 'object',
            additionalProperties: { type: 'string' },
            description: 'Per part: ready, or why not',
          },
          feeds: {
            type: 'object',
            required: ['count', 'maxAgeSeconds', 'topics'],
            properties: {
              count: { type: 'integer' },
              maxAgeSeconds: { type: 'number' },
              topics: { type: 'array', items: { type: 'string' } },
            },
          },
          requests: {
            type: 'object',
            required: ['enabled', 'open'],
            properties: { enabled: { type: 'boolean' }, open: { type: 'integer' } },
          },
          chains: {
            type: 'object',
            required: ['count', 'leading'],
            properties: { count: { type: 'integer' }, leading: { type: 'integer' } },
          },
          eventsTopic: { type: 'string' },
          bridgeRequestsPerSecond: {
            type: 'number',
            description:
              'HTTP bridge requests per second to the adapter over the last few seconds; absent until measured',
          },
        },
      },
      FeedPage: {
        type: 'object',
        required: ['total', 'offset', 'limit', 'feeds'],
        additionalProperties: false,
        properties: {
          total: { type: 'integer', description: 'Feeds matching q' },
          offset: { type: 'integer' },
          limit: { type: 'integer' },
          feeds: { type: 'array', items: ref('Feed') },
        },
      },
      Feed: {
        type: 'object',
        required: ['feed', 'value', 'fresh', 'ageSeconds', 'maxAgeSeconds', 'asOf', 'sources', 'history'],
        additionalProperties: false,
        properties: {
          feed: { type: 'string' },
          value: { ...feedValue, description: 'Median of the fresh sources; of all sources when none is fresh' },
          fresh: { type: 'boolean', description: 'A source is within feeds.maxAgeSeconds' },
          ageSeconds: { type: 'number', description: 'Age of the newest source' },
          maxAgeSeconds: { type: 'number' },
          asOf: timestamp,
          sources: {
            type: 'array',
            items: {
              type: 'object',
              required: ['source', 'value', 'timestamp', 'ageSeconds', 'fresh'],
              additionalProperties: false,
              properties: {
                source: { type: 'string' },
                value: feedValue,
                timestamp,
                ageSeconds: { type: 'number' },
                fresh: { type: 'boolean' },
              },
            },
          },
          history: { type: 'array', items: point, description: 'Recent medians, oldest first: [epoch ms, value]' },
        },
      },
      OpenRequest: {
        type: 'object',
        required: ['correlationId', 'type', 'state', 'createdAt', 'ageSeconds', 'deadline', 'callbacksPending'],
        additionalProperties: false,
        properties: {
          correlationId: { type: 'string' },
          type: { type: 'string' },
          state: { type: 'string', enum: ['open', 'recording', 'settled'] },
          createdAt: { type: 'number', description: 'Epoch ms' },
          ageSeconds: { type: 'number' },
          deadline: { type: 'number', description: 'Epoch ms' },
          callbacksPending: {
            type: 'integer',
            description: 'responseURLs not yet told the outcome (the URLs are never shown)',
          },
        },
      },
      AnsweredRequest: {
        type: 'object',
        required: ['correlationId', 'type', 'createdAt', 'answeredAt', 'outcome'],
        additionalProperties: false,
        properties: {
          correlationId: { type: 'string' },
          type: { type: 'string' },
          createdAt: { type: 'number' },
          answeredAt: { type: 'number' },
          outcome: { type: 'string', enum: ['result', 'error', 'expired'] },
        },
      },
      Requests: {
        type: 'object',
        required: ['enabled', 'open', 'recent'],
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean', description: 'false on a feeds-only replica' },
          open: { type: 'array', items: ref('OpenRequest') },
          recent: { type: 'array', items: ref('AnsweredRequest'), description: 'Newest first' },
        },
      },
      RequestDetail: {
        type: 'object',
        additionalProperties: false,
        properties: { open: ref('OpenRequest'), answered: ref('AnsweredRequest') },
      },
      Chain: {
        type: 'object',
        required: ['name', 'chainId', 'role'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          chainId: { type: 'integer' },
          role: {
            type: 'string',
            enum: ['joining', 'reading checkpoint', 'leader', 'standby'],
            description: 'Part in the chain’s leader election; only the leader publishes, and only it reports progress',
          },
          halted: { type: 'string', description: 'Why the chain publishes nothing more until restarted' },
          head: { type: 'integer', description: 'Latest block seen (leader only)' },
          publishedBlock: { type: 'integer', description: 'Every event up to this block is published (leader only)' },
          lagBlocks: { type: 'integer' },
          lagSeconds: { type: 'number', description: 'How long the first unpublished block has been known' },
          reorgs: { type: 'integer' },
          lastReorg: {
            type: 'object',
            required: ['at', 'depth', 'forkPoint', 'reachedPublished'],
            properties: {
              at: { type: 'number' },
              depth: { type: 'integer' },
              forkPoint: { type: 'integer' },
              reachedPublished: { type: 'boolean' },
            },
          },
          retractions: { type: 'integer' },
          lagHistory: { type: 'array', items: point, description: '[epoch ms, lag in blocks], oldest first' },
          rpc: {
            type: 'array',
            items: {
              type: 'object',
              required: ['endpoint', 'alive'],
              additionalProperties: false,
              properties: {
                endpoint: { type: 'string', description: 'Scheme and host only' },
                alive: { type: 'boolean' },
                head: { type: 'integer' },
                lastError: { type: 'string' },
              },
            },
          },
        },
      },
      Status: {
        type: 'object',
        required: ['takenAt', 'settings'],
        description:
          'The status model the node reads at /status: the settings (secrets redacted, URLs cut to scheme and host) and one section per running part (feeds, requests, chains, streaming, ...); a part that does not run has no section.',
        properties: {
          takenAt: timestamp,
          settings: { type: 'object' },
          chains: { type: 'array', items: ref('Chain') },
          streaming: {
            type: 'object',
            required: ['clients'],
            description: 'Present while the gRPC streaming bridge runs',
            properties: {
              clients: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['peer', 'connectedAt', 'subscriptions', 'refused'],
                  properties: {
                    peer: { type: 'string' },
                    connectedAt: timestamp,
                    subscriptions: { type: 'integer', description: 'Assets subscribed that are served' },
                    refused: { type: 'integer', description: 'Assets subscribed that the stream does not serve' },
                  },
                },
              },
            },
          },
        },
      },
      Chains: {
        type: 'object',
        required: ['chains'],
        additionalProperties: false,
        properties: { chains: { type: 'array', items: ref('Chain') } },
      },
      Kafka: {
        type: 'object',
        required: ['consumerLag', 'deadLetters', 'readAt'],
        additionalProperties: false,
        properties: {
          consumerLag: {
            type: 'array',
            items: {
              type: 'object',
              required: ['topic', 'consumer', 'lag'],
              properties: { topic: { type: 'string' }, consumer: { type: 'string' }, lag: { type: 'number' } },
            },
          },
          deadLetters: {
            type: 'array',
            items: {
              type: 'object',
              required: ['topic', 'lastHour'],
              properties: {
                topic: { type: 'string' },
                lastHour: { type: 'integer' },
                last: {
                  type: 'object',
                  required: ['at'],
                  properties: {
                    at: timestamp,
                    code: { type: 'string' },
                    reason: { type: 'string' },
                    from: { type: 'string' },
                  },
                },
              },
            },
          },
          readAt: timestamp,
          error: { type: 'string' },
        },
      },
      Event: {
        type: 'object',
        required: ['partition', 'offset', 'timestamp', 'key', 'value'],
        additionalProperties: false,
        properties: {
          partition: { type: 'integer' },
          offset: { type: 'integer' },
          timestamp,
          key: { type: 'string' },
          status: { type: 'string', enum: ['confirmed', 'retracted'] },
          event: { type: 'string' },
          value: {
            description:
              'The message as published (docs/oracle-events.md, schemas/oracle-event.schema.json); null when not JSON',
            oneOf: [{ type: 'object' }, { type: 'null' }],
          },
        },
      },
      EventPage: {
        type: 'object',
        required: ['events', 'next', 'scanned'],
        additionalProperties: false,
        properties: {
          events: { type: 'array', items: ref('Event') },
          next: {
            type: ['string', 'null'],
            description: `${positionText}; null when newest-first reading reached the beginning`,
          },
          scanned: { type: 'integer', maximum: MAX_SCANNED_RECORDS },
        },
      },
    },
  },
} as const
