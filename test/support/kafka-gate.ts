import { connect, type Socket } from 'node:net'
import type { ISocketFactory } from 'kafkajs'

/**
 * A stand-in for a Kafka cluster going down and coming back, usable against
 * the test broker and a real one alike: a kafkajs socket factory whose
 * connections are cut while the gate is closed, and whose new connections are
 * refused (they go to a port nothing listens on) until it opens again.
 */
export interface KafkaGate {
  socketFactory: ISocketFactory
  close(): void
  open(): void
}

export const kafkaGate = (): KafkaGate => {
  let closed = false
  const sockets = new Set<Socket>()
  return {
    socketFactory: ({ host, port, onConnect }) => {
      // Port 1 on loopback: nothing listens there, so the connection is refused at once.
      const socket = closed ? connect({ host: '127.0.0.1', port: 1 }, onConnect) : connect({ host, port }, onConnect)
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      return socket
    },
    close: () => {
      closed = true
      for (const socket of sockets) socket.destroy()
    },
    open: () => {
      closed = false
    },
  }
}
