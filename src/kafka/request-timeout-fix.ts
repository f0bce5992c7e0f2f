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
 *
 * A paused broker still accepts connections (the kernel completes the handshake), so a client that reconnected at once
 * went straight back to it: a restarted consumer reconnects to its seed broker and asks it for metadata again. So, as
 * the Java client backs off reconnecting, a broker that let a request time out is not connected to again for one
 * request timeout: connecting fails at once with a KafkaJSConnectionError, which makes kafkajs try another broker (and
 * another seed). An answer from the broker ends that early.
 */

interface Connection {
  host: string
  port: number
  requestTimeout: number
  socket?: { destroy(error?: Error): void }
  connect(...args: unknown[]): Promise<unknown>
  send(...args: unknown[]): Promise<unknown>
}

/** host:port of brokers that let a request time out -> until when (epoch ms) no new connection is made to them */
const silentUntil = new Map<string, number>()

// A deep import: kafkajs does not export the class. Should a kafkajs upgrade move or rename it, start-up fails here
// rather than the patch silently doing nothing.
const { prototype } = require('kafkajs/src/network/connection') as { prototype: Connection }
const { connect, send } = prototype
if (typeof send !== 'function' || typeof connect !== 'function')
  throw new Error('kafkajs Connection changed: revisit src/kafka/request-timeout-fix.ts')

prototype.connect = function (this: Connection, ...args: unknown[]) {
  const broker = `${this.host}:${this.port}`
  const until = silentUntil.get(broker) ?? 0
  if (Date.now() < until) {
    const error = `${broker} let a request time out; not connecting to it again before ${new Date(until).toISOString()}`
    return Promise.reject(new KafkaJSConnectionError(error, { broker }))
  }
  return connect.apply(this, args)
}

prototype.send = async function (this: Connection, ...args: unknown[]) {
  const broker = `${this.host}:${this.port}`
  try {
    const answer = await send.apply(this, args)
    silentUntil.delete(broker)
    return answer
  } catch (err) {
    if ((err as Error | undefined)?.name !== 'KafkaJSRequestTimeoutError') throw err
    silentUntil.set(broker, Date.now() + this.requestTimeout)
    this.socket?.destroy(new Error(`${(err as Error).message}: closing the connection to ${broker}`))
    throw new KafkaJSConnectionError(`${(err as Error).message}; the connection to ${broker} was closed`, { broker })
  }
}
