import { randomBytes, randomUUID } from 'node:crypto'
import { hostname } from 'node:os'

/**
 * Every consumer group Bifrost joins, built here and nowhere else from `kafka.clientId`: operators grant Bifrost its
 * groups by prefix (`Group:PREFIXED:<clientId>`), so no id may start with anything else. The separators differ
 * (`-` for the older parts, `.` for the rest) because a group id that changes loses its committed offsets; the README
 * lists each prefix. A throwaway group (a scan, a reader) ends in a random suffix and commits nothing.
 */
export const consumerGroups = {
  /** Feeds: each replica its own group, so each one is assigned every partition */
  feeds: (clientId: string): string =>
    `${clientId}-feeds-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
  /** Requests: the reply consumer, shared by the replicas; its committed offsets matter */
  requests: (clientId: string): string => `${clientId}-requests`,
  /** Requests: reading the pending-request log back at start-up */
  requestsPending: (clientId: string): string => `${clientId}-requests-pending-${randomBytes(6).toString('hex')}`,
  /** Events: the leader election of one chain (its checkpoint topic) */
  eventsLeader: (clientId: string, chain: string): string => `${clientId}.events.${chain}`,
  /** Events: prefix of the throwaway groups that scan what a chain already published, at recovery */
  eventsScan: (clientId: string, chain: string): string => `${clientId}.events.scan.${chain}`,
  /** Events: prefix of the throwaway groups of `bifrost events resume` */
  eventsResume: (clientId: string, chain: string): string => `${clientId}.events.resume.${chain}`,
  /** Events: prefix of the throwaway group each instance reads events.ccip.stateTopic with, when it watches CCIP ramps */
  eventsCcipState: (clientId: string): string => `${clientId}.events.ccip-state`,
  /** Events: `bifrost events`, reading the events topic for a person */
  eventsReader: (clientId: string): string => `${clientId}.events.reader.${randomBytes(6).toString('hex')}`,
  /** Operator API: prefix of the throwaway groups of an events query */
  httpEventsQuery: (clientId: string): string => `${clientId}.http.events`,
  /** Operator API: prefix of the throwaway groups that read the newest dead letters for the status page */
  httpDeadLetters: (clientId: string): string => `${clientId}.http.dlq`,
  /** Operator API: prefix of the groups of the live event streams (server-sent events), one each */
  httpEventStream: (clientId: string): string => `${clientId}.http.stream`,
} as const

/** A throwaway group under a prefix from consumerGroups (a scan of a topic): unique, never committed */
export const throwawayGroup = (prefix: string): string => `${prefix}.${randomUUID()}`
