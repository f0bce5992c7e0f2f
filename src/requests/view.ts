/** One open request as an operator sees it: never its responseURLs, only how many wait. */
export interface OpenRequestView {
  correlationId: string
  type: string
  /** open: waiting for a reply; recording: a reply is being stored; settled: answered, callbacks still running */
  state: 'open' | 'recording' | 'settled'
  createdAt: number
  /** Seconds since it was created */
  ageSeconds: number
  deadline: number
  /** responseURLs not yet told the outcome */
  callbacksPending: number
}

/** A request answered (or expired) recently, with how long the enterprise system took. */
export interface AnsweredRequestView {
  correlationId: string
  type: string
  createdAt: number
  answeredAt: number
  outcome: 'result' | 'error' | 'expired'
}

export interface RequestsView {
  /** false on a feeds-only replica (requests.enabled false) */
  enabled: boolean
  open: OpenRequestView[]
  /** Newest first */
  recent: AnsweredRequestView[]
}

/** How many answered requests the page shows: enough to see a pattern, a bounded cost per request. */
export const RECENT_ANSWERED = 50

/** A bounded, newest-first list of answered requests. */
export const createAnsweredLog = (size = RECENT_ANSWERED) => {
  const items: AnsweredRequestView[] = []
  return {
    add(item: AnsweredRequestView): void {
      items.unshift(item)
      if (items.length > size) items.pop()
    },
    list: (): AnsweredRequestView[] => [...items],
  }
}
