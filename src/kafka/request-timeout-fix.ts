import { KafkaJSConnectionError } from 'kafkajs'

/*
 * kafkajs 2.2.4 keeps a connection on which a request timed out, and reports the timeout as an error of its own that
 * none of its retry loops treats as a broken connection: the producer retries on the same, stale metadata
 * (producer/sendMessages.js refreshes only after connection and protocol errors), a client connecting retries the same
 * seed broker (BrokerPool.connect rotates only on connection errors), and metadata keeps being asked of a broker that
 * still counts as connected (BrokerPool.findConnectedBroker). A broker that stops answering but keeps its connections
 * (a long GC pause, a frozen VM: SIGSTOP in test/kafka/broker-pause.test.ts) thus held every client to it for minutes,
 * although the cluster had fenced it and moved its partitions. The Java client closes a connection whose request timed
 * out and refreshes metadata (NetworkClient.handleTimedOutRequests); so does Bifrost's kafkajs from here on: the socket
 * is destroyed (its other requests fail at once, and the broker no longer counts as connected) and the timeout is
 * thrown as a KafkaJSConnectionError, which every retry loop of kafkajs handles by looking elsewhere.
 */

interface Connection {
  host: string
  port: number
  socket?: { destroy(error?: Error): void }
  send(...args: unknown[]): Promise<unknown>
}

// A deep import: kafkajs does not export the class. Should a kafkajs upgrade move or rename it, start-up fails here
// rather than the patch silently doing nothing.
const { prototype } = require('kafkajs/src/network/connection') as { prototype: Connection }
const send = prototype.send
if (typeof send !== 'function') throw new Error('kafkajs Connection changed: revisit src/kafka/request-timeout-fix.ts')

prototype.send = async function (this: Connection, ...args: unknown[]) {
  try {
    return await send.apply(this, args)
  } catch (err) {
    if ((err as Error | undefined)?.name !== 'KafkaJSRequestTimeoutError') throw err
    const broker = `${this.host}:${this.port}`
    this.socket?.destroy(new Error(`${(err as Error).message}: closing the connection to ${broker}`))
    throw new KafkaJSConnectionError(`${(err as Error).message}; the connection to ${broker} was closed`, { broker })
  }
}
