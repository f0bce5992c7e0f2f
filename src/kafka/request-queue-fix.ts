/*
 * kafkajs 2.2.4 re-arms a timer of about 1 ms on every broker connection for as
 * long as the connection lives, even with nothing queued (tulios/kafkajs#1556;
 * the fix proposed upstream, #1667, is unreleased). An idle Bifrost burns ~4 % of
 * a core on it, and a busy one serves HTTP between thousands of useless timer
 * callbacks a second. The queue only needs the timer while a request waits:
 * push() schedules when it enqueues, and every answer or timeout re-checks.
 */

interface RequestQueue {
  pending: unknown[]
  scheduleCheckPendingRequests(): void
}

// A deep import: kafkajs does not export the class. Should a kafkajs upgrade move
// or rename it, start-up fails here rather than the patch silently doing nothing.
const { prototype } = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueue }
const schedule = prototype.scheduleCheckPendingRequests
if (typeof schedule !== 'function')
  throw new Error('kafkajs RequestQueue changed: revisit src/kafka/request-queue-fix.ts')

prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
  if (this.pending.length > 0) schedule.call(this)
}
