import { z } from 'zod'
import { kafkaSettings } from '../kafka/settings'
import { feedSettings } from '../inbound/settings'
import { requestSettings } from '../requests/settings'
import { eventSettings } from '../outbound/settings'
import { httpSettings } from '../http/settings'
import { logSettings } from '../log/settings'
import { streamSettings } from '../streams/settings'

/**
 * The whole configuration, declared once. Every leaf carries its description,
 * type, default and (where it has one) environment variable; the loader, the
 * environment overlay and the reference in the README are all derived from it.
 */
export const configSchema = z.object({
  kafka: kafkaSettings,
  feeds: feedSettings,
  requests: requestSettings,
  events: eventSettings,
  http: httpSettings,
  log: logSettings,
  streams: streamSettings,
})

export type Config = z.infer<typeof configSchema>
