/**
 * Header names on a dead-lettered record, shared by every dead-letter topic
 * (feeds, replies) so one consumer can read them all; the original headers are kept alongside.
 */
export const DLQ_HEADERS = {
  topic: 'bifrost.dlq.topic',
  partition: 'bifrost.dlq.partition',
  offset: 'bifrost.dlq.offset',
  timestamp: 'bifrost.dlq.timestamp',
  code: 'bifrost.dlq.code',
  reason: 'bifrost.dlq.reason',
} as const
