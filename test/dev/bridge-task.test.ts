import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { bridgeTask, multiplyTask } from '../../src/dev/bridge-task'

// The stand-in nodes fail a bridge task exactly when the node does; this answers what the test names.
describe("the stand-in node's bridge task", () => {
  let server: Server
  let url: string
  let next: { status: number; body: string } = { status: 200, body: '{}' }
  const received: unknown[] = []

  before(async () => {
    server = createServer((req, res) => {
      let text = ''
      req.on('data', (d: Buffer) => (text += d.toString()))
      req.on('end', () => {
        received.push(JSON.parse(text))
        res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const answer = (status: number, body: unknown) => {
    next = { status, body: typeof body === 'string' ? body : JSON.stringify(body) }
    return bridgeTask(url, { data: { feed: 'ETH/USD' }, meta: {} })
  }

  test('POSTs the body as given and takes data.result, else result', async () => {
    assert.equal(await answer(200, { data: { result: 1.5 }, result: 2, statusCode: 200 }), 1.5)
    assert.equal(await answer(200, { result: '7' }), '7')
    assert.deepEqual(received.at(-1), { data: { feed: 'ETH/USD' }, meta: {} })
  })

  test('fails on HTTP 400 and above', async () => {
    await assert.rejects(answer(404, { error: { message: 'Unknown feed' } }), /bridge answered 404/)
    await assert.rejects(answer(500, 'oops'), /bridge answered 500: oops/)
  })

  test('fails on HTTP 200 when statusCode or providerStatusCode is not 200, or error is set', async () => {
    await assert.rejects(answer(200, { result: 1, statusCode: 502 }), /statusCode 502/)
    await assert.rejects(answer(200, { result: 1, statusCode: 200, providerStatusCode: 429 }), /providerStatusCode 429/)
    await assert.rejects(answer(200, { result: 1, error: 'upstream down' }), /an error: "upstream down"/)
    await assert.rejects(answer(200, 'not json'), /no JSON/)
  })

  test('multiply truncates toward zero and keeps big integers exact', () => {
    assert.equal(multiplyTask('3012.45', 100_000_000n), 301_245_000_000n)
    assert.equal(multiplyTask(1.239, 100), 123n)
    assert.equal(multiplyTask('1000123456789012345678', 1), 1000123456789012345678n)
    assert.throws(() => multiplyTask({ a: 1 }, 1), /is not a number/)
  })
})
