/**
 * The one shape of a parser's answer about outside data (a record, a reply, an RPC answer): parsers never throw,
 * they return `{ ok: true, ... }` or this refusal, whose code goes into a dead-letter header or a metric label and
 * whose reason goes to the operator.
 */
export interface Refused<Code extends string> {
  ok: false
  /** Stable and machine-readable: `not-json`, `bad-shape`, ... */
  code: Code
  /** What was expected and what arrived */
  reason: string
}
