import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Partitioners } from 'kafkajs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { loadConfig } from '../../../src/config/load'
import { repoRoot } from '../../../src/dev/paths'
import { startDevStack, type DevStack } from '../../../src/dev/stack'
import { createKafka } from '../../../src/kafka/client'
import { assertMatchesApi } from '../../support/openapi'
import { startStandInConnectionManager, type StandInConnectionManager } from '../../support/stand-in-connection-manager'
import { useEphemeralAdapters } from '../../support/adapter-http'

useEphemeralAdapters()
process.env['HTTP_PORT'] = '0'
process.env['STREAMS_PORT'] = '0'

/** Debian's chromium (.ci/run installs it); playwright-core drives it and downloads no browser of its own. */
const CHROMIUM = '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
/** Where the screenshot goes: ignored by git, kept by CI as the run's output */
export const TEST_OUTPUT = join(repoRoot(), 'test-output')

// Without a browser a newcomer's `npm test` still passes (it needs only Node and a C compiler); CI never skips it.
const skip =
  !existsSync(CHROMIUM) && process.env['CI'] !== 'true' ? `${CHROMIUM} is missing (apt-get install chromium)` : false

describe('status page in a real browser', { timeout: 180_000, skip }, () => {
  let stack: DevStack
  let browser: Browser
  let page: Page
  let node: StandInConnectionManager | undefined
  const consoleErrors: string[] = []

  before(async () => {
    stack = await startDevStack()
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true })
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (err) => consoleErrors.push(err.message))
    assert.ok(stack.statusUrl)
    await page.goto(stack.statusUrl)
  })
  after(async () => {
    await node?.stop()
    await browser?.close()
    await stack?.stop()
  })

  test('a feed record produced to Kafka appears in the table, found by search, and turns stale when it ages', async () => {
    const config = loadConfig()
    const producer = createKafka({ ...config.kafka, brokers: stack.brokers }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
    // Fresh for a few more seconds only: the page must show it fresh, then stale, without a reload.
    const timestamp = Date.now() - (config.feeds.maxAgeSeconds - 15) * 1000
    await producer.send({
      topic: config.feeds.topics[0],
      messages: [{ key: 'BROWSER/TEST', value: JSON.stringify({ value: 42.5, source: 'browser-test', timestamp }) }],
    })
    await producer.disconnect()
    await page.fill('#feed-search', 'browser')
    const row = page.locator('tr[data-feed="BROWSER/TEST"]')
    await page.locator('tr[data-feed="BROWSER/TEST"][data-fresh="true"]').waitFor({ timeout: 15_000 })
    assert.match(await row.innerText(), /42\.5/)
    assert.match(await row.innerText(), /browser-test/)
    await page.locator('tr[data-feed="BROWSER/TEST"][data-fresh="false"]').waitFor({ timeout: 60_000 })
    assert.match(await row.innerText(), /stale/)
    await page.fill('#feed-search', '')
    await page.locator('tr[data-feed="ETH/USD"]').waitFor({ timeout: 30_000 })
  })

  test('a chain event appears in the live list, and the chain shows its head, published block and role', async () => {
    await page.locator('#event-list li').first().waitFor({ timeout: 90_000 })
    assert.match(
      await page.locator('#event-list li').first().innerText(),
      /chain 31337\s+block \d+\s+(confirmed|retracted)/,
    )
    const chain = page.locator('tr[data-chain]').first()
    await chain.waitFor({ timeout: 30_000 })
    assert.match(await chain.innerText(), /leader/)
    const res = await page.request.get(new URL('api/chains', stack.statusUrl).href)
    assertMatchesApi('Chains', await res.json())
  })

  test('requests answered by the demo system are listed with their time to reply', async () => {
    await page.locator('#answered-rows tr').first().waitFor({ timeout: 60_000 })
    assert.match(await page.locator('#answered-rows tr').first().innerText(), /shipment-status\s+result\s+[\d.]+ s/)
  })

  test('a node on the streaming bridge appears under node connections with its asset count', async () => {
    assert.ok(stack.streamsPort)
    // Stays connected until the end, so the screenshot shows it.
    node = startStandInConnectionManager({
      address: `127.0.0.1:${stack.streamsPort}`,
      bridgeName: loadConfig().streams.bridgeName,
      snapshotMs: 500,
    })
    node.use({ feed: 'ETH/USD' })
    await page.locator('#streaming-rows tr td:nth-child(3)', { hasText: /^1$/ }).waitFor({ timeout: 30_000 })
    assert.match(await page.locator('#streaming').innerText(), /HTTP bridge: (measuring…|[\d.]+ requests\/s)/)
  })

  test('the page logs no errors to the console, and a screenshot is kept', async () => {
    mkdirSync(TEST_OUTPUT, { recursive: true })
    await page.screenshot({ path: join(TEST_OUTPUT, 'status-page.png'), fullPage: true })
    assert.deepEqual(consoleErrors, [])
  })
})
