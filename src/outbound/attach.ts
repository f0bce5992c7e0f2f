import type { DecodedEvent } from './decode'
import { familyOf } from './families'

export interface Attacher {
  /**
   * Call with every decoded event of a batch, in log order. True when its family
   * folded it into the event logged right before it (same contract and
   * transaction, consecutive log indexes), which then carries it: not published alone.
   */
  attach(event: DecodedEvent, log: { transactionHash: string; logIndex: number }): boolean
}

/** Attaches by adjacency, never "by transaction": one transaction can hold several reports, each with its followers. */
export const createAttacher = (): Attacher => {
  let last: { event: DecodedEvent; transactionHash: string; logIndex: number } | undefined
  return {
    attach: (event, { transactionHash, logIndex }) => {
      const adjacent =
        last !== undefined &&
        last.transactionHash === transactionHash &&
        last.logIndex + 1 === logIndex &&
        last.event.address === event.address &&
        last.event.kind === event.kind
      if (adjacent && familyOf(event.kind)?.attach?.(last!.event, event, logIndex)) {
        last!.logIndex = logIndex
        return true
      }
      last = { event, transactionHash, logIndex }
      return false
    },
  }
}
