import { connect, type Socket } from 'node:net'
import type { ISocketFactory } from 'kafkajs'

/**
 * A stand-in for a Kafka cluster that turns slow, or goes down, and comes back,
 * usable against the test broker and a real one alike: a kafkajs socket
 * factory whose connections can be stalled (the broker's answers are not read
 * until the gate opens) or cut (reset, and new connections refused: they go to
 * a port nothing listens on) until the gate opens again.
 */
export interface KafkaGate {
  socketFactory: ISocketFactory
  /** Kafka slow: requests go out, answers wait */
  stall(): void
  /** Kafka down */
  close(): void
  open(): void
}

export const kafkaGate = (): KafkaGate => {
  let state: 'open' | 'stalled' | 'closed' = 'open'
  const sockets = new Set<Socket>()
  return {
    socketFactory: ({ host, port, onConnect }) => {
      const socket =
        state === 'closed' ? connect({ host: '127.0.0.1', port: 1 }, onConnect) : connect({ host, port }, onConnect)
      if (state === 'stalled') socket.pause()
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      return socket
    },
    stall: () => {
      state = 'stalled'
      for (const socket of sockets) socket.pause()
    },
    close: () => {
      state = 'closed'
      // With an error, as a reset connection ends: kafkajs listens for 'error' and 'end', not 'close'.
      for (const socket of sockets) socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
    },
    open: () => {
      state = 'open'
      for (const socket of sockets) socket.resume()
    },
  }
}
