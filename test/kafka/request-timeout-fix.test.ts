import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { createKafka } from '../../src/kafka/client'
import { kafkaSettings } from '../../src/kafka/settings'
import { eventually } from '../support/eventually'
import { useDefaultLogger } from '../support/logger'

test('a request that times out closes its connection: the client connects again instead of waiting on the same one', async () => {
  useDefaultLogger()
  // A broker that stops answering but keeps its connections (SIGSTOP, a long GC pause): it accepts and stays silent.
  const sockets: Socket[] = []
  let closed = 0
  const silent = createServer((socket) => {
    sockets.push(socket)
    // Reads and drops what arrives, so the client's close is seen as soon as it happens.
    socket.resume().on('close', () => closed++)
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const broker = `127.0.0.1:${(silent.address() as AddressInfo).port}`
  const admin = createKafka(kafkaSettings.parse({ brokers: [broker], requestTimeoutMs: 300 }), {
    // Retries after the silent broker's back-off (one request timeout), so each one connects anew.
    retry: { retries: 2, initialRetryTime: 400 },
  }).admin()
  try {
    await assert.rejects(admin.connect(), (err: Error) => {
      assert.match(err.message, /timed out; the connection to 127\.0\.0\.1:\d+ was closed/)
      return true
    })
    // Unpatched kafkajs sends every retry down the one silent connection it opened first.
    assert.ok(sockets.length >= 2, `${sockets.length} connection(s) for 3 attempts`)
    await eventually('the client to close a connection whose request timed out', () => closed >= 1)
  } finally {
    await admin.disconnect()
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
  }
})
