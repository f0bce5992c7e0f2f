// Bifrost status page: plain JS, no build step. Reads /api (same origin, the
// session cookie is sent by the browser) and the live event stream over SSE.
'use strict'

const $ = (id) => document.getElementById(id)
const SVG = 'http://www.w3.org/2000/svg'

/** An element with text children only: nothing from Kafka is ever parsed as HTML. */
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v))
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c))
  return node
}

const api = async (path) => {
  const res = await fetch(`api/${path}`, { headers: { accept: 'application/json' } })
  if (res.status === 401) {
    location.href = 'login'
    throw new Error('signed out')
  }
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
  return res.json()
}

const age = (seconds) => {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} d`
}

const line = (cls, points, width, height) => {
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('class', cls)
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('preserveAspectRatio', 'none')
  if (points.length > 1) {
    const xs = points.map((p) => p[0])
    const ys = points.map((p) => p[1])
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)]
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)]
    const poly = document.createElementNS(SVG, 'polyline')
    poly.setAttribute(
      'points',
      points
        .map(
          ([x, y]) =>
            `${(((x - x0) / (x1 - x0 || 1)) * width).toFixed(1)},${(
              height -
              2 -
              ((y - y0) / (y1 - y0 || 1)) * (height - 4)
            ).toFixed(1)}`,
        )
        .join(' '),
    )
    svg.append(poly)
  }
  return svg
}

/** Polls `fn` every `ms` while the page is visible; a hidden tab asks nothing. */
const every = (ms, fn) => {
  const run = async () => {
    if (!document.hidden) await fn().catch((err) => console.warn(err.message))
    setTimeout(run, ms)
  }
  run()
}

// --- Header ---
const renderOverview = (o) => {
  bridgeRate = o.bridgeRequestsPerSecond
  const badge = $('readiness')
  badge.textContent = o.ready ? 'ready' : 'not ready'
  badge.className = `badge ${o.ready ? 'ready' : 'not-ready'}`
  badge.title = Object.entries(o.checks)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')
  const waiting = Object.entries(o.checks)
    .filter(([, v]) => v !== 'ready')
    .map(([k, v]) => `${k}: ${v}`)
  $('summary').textContent = [
    `v${o.version}`,
    `up ${age(o.uptimeSeconds)}`,
    `${o.feeds.count} feeds`,
    o.requests.enabled ? `${o.requests.open} open requests` : 'requests off on this replica',
    `${o.chains.count} chains (${o.chains.leading} led here)`,
    ...waiting,
  ].join(' · ')
  $('requests').hidden = !o.requests.enabled
  $('chains').hidden = o.chains.count === 0
}

/** Sections of parts this Bifrost may not have: shown only when the overview carries their data. */
const renderOptional = (id, data) => {
  const section = $(id)
  section.hidden = !data
  if (!data) return
  const body = $(`${id}-body`)
  body.replaceChildren()
  for (const [name, value] of Object.entries(data)) {
    if (Array.isArray(value) && value.length && typeof value[0] === 'object') {
      const keys = Object.keys(value[0])
      body.append(
        el('h3', {}, name),
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              keys.map((k) => el('th', {}, k)),
            ),
          ),
          el(
            'tbody',
            {},
            value.map((row) =>
              el(
                'tr',
                {},
                keys.map((k) => el('td', {}, typeof row[k] === 'object' ? JSON.stringify(row[k]) : row[k])),
              ),
            ),
          ),
        ),
      )
    } else body.append(el('p', {}, `${name}: `, typeof value === 'object' ? JSON.stringify(value) : value))
  }
}

// --- Feeds ---
const feeds = { q: '', offset: 0, limit: 50, total: 0 }
const freshness = (f) => (!f.fresh ? 'stale' : f.ageSeconds > f.maxAgeSeconds / 2 ? 'aging' : 'fresh')
const renderFeeds = (page) => {
  feeds.total = page.total
  $('feeds-count').textContent = `(${page.total}${feeds.q ? ' matching' : ''})`
  const pages = Math.max(1, Math.ceil(page.total / feeds.limit))
  $('feed-page').textContent = `page ${Math.floor(feeds.offset / feeds.limit) + 1} of ${pages}`
  $('feed-rows').replaceChildren(
    ...page.feeds.map((f) => {
      const state = freshness(f)
      return el(
        'tr',
        { 'data-feed': f.feed, 'data-fresh': String(f.fresh), class: state === 'stale' ? 'stale-row' : undefined },
        el('td', {}, f.feed),
        el('td', { class: 'value' }, f.value),
        el(
          'td',
          { class: 'sources' },
          f.sources.map((s) =>
            el('span', { class: s.fresh ? undefined : 'stale', title: s.timestamp }, `${s.source}: ${s.value}`),
          ),
        ),
        el(
          'td',
          { class: state, title: `limit ${f.maxAgeSeconds} s` },
          state === 'stale' ? `stale (${age(f.ageSeconds)})` : age(f.ageSeconds),
        ),
        el('td', {}, line('spark', f.history, 120, 24)),
      )
    }),
  )
}
const loadFeeds = async () => {
  const params = new URLSearchParams({ offset: feeds.offset, limit: feeds.limit })
  if (feeds.q) params.set('q', feeds.q)
  renderFeeds(await api(`feeds?${params}`))
}

// --- Chains and live events ---
const renderChains = ({ chains }) => {
  $('chain-rows').replaceChildren(
    ...chains.map((c) =>
      el(
        'tr',
        { 'data-chain': c.name },
        el('td', {}, c.name, el('br'), el('small', {}, `chain id ${c.chainId}`)),
        el('td', { class: c.halted ? 'stale' : undefined, title: c.halted }, c.halted ? `halted: ${c.halted}` : c.role),
        el('td', {}, c.head ?? '–'),
        el('td', {}, c.publishedBlock ?? '–'),
        el('td', {}, c.lagBlocks === undefined ? '–' : `${c.lagBlocks} blocks, ${age(c.lagSeconds ?? 0)}`),
        el('td', {}, line('lag', c.lagHistory ?? [], 160, 28)),
        el(
          'td',
          {},
          `${c.reorgs ?? '–'}`,
          c.lastReorg
            ? el('small', {}, ` last: depth ${c.lastReorg.depth} at ${new Date(c.lastReorg.at).toLocaleTimeString()}`)
            : '',
          c.retractions ? el('small', {}, `, ${c.retractions} retracted`) : '',
        ),
        el(
          'td',
          {},
          (c.rpc ?? []).map((r) =>
            el(
              'div',
              { class: r.alive ? 'fresh' : 'stale', title: r.lastError },
              `${r.endpoint}${r.head !== undefined ? ` @${r.head}` : ''}`,
            ),
          ),
        ),
      ),
    ),
  )
}

const events = $('event-list')
const describeEvent = (e) => {
  const v = e.value ?? {}
  const id = v.requestId ?? (v.roundId !== undefined ? `round ${v.roundId}` : e.key)
  return `${new Date(e.timestamp).toLocaleTimeString()}  chain ${v.chainId ?? '?'}  block ${v.blockNumber ?? '?'}  ${
    e.status ?? ''
  }  ${e.event ?? ''}  ${id}`
}
const startStream = () => {
  const source = new EventSource('api/events/stream')
  const add = (message) => {
    const e = JSON.parse(message.data)
    events.prepend(
      el(
        'li',
        { class: e.status, 'data-event': e.event, title: `partition ${e.partition} offset ${e.offset}` },
        describeEvent(e),
      ),
    )
    while (events.children.length > 100) events.lastChild.remove()
  }
  source.addEventListener('confirmed', add)
  source.addEventListener('retracted', add)
  // A message named error is Bifrost's own reason (e.g. too slow); the browser reconnects from the last id.
  source.addEventListener('error', (message) => {
    if (message.data) console.warn(`event stream: ${JSON.parse(message.data).reason}`)
  })
}

// --- Requests ---
const renderRequests = (r) => {
  const now = Date.now()
  $('open-rows').replaceChildren(
    ...r.open
      .filter((o) => o.state !== 'settled')
      .map((o) => {
        const share = Math.min(1, (now - o.createdAt) / (o.deadline - o.createdAt))
        const bar = el('div', { class: share > 0.75 ? 'late' : undefined })
        bar.style.width = `${(share * 100).toFixed(0)}%`
        return el(
          'tr',
          {},
          el('td', { title: o.correlationId }, o.correlationId.slice(0, 12)),
          el('td', {}, o.type),
          el(
            'td',
            {},
            el('span', { class: 'bar' }, bar),
            `${age((now - o.createdAt) / 1000)} of ${age((o.deadline - o.createdAt) / 1000)}`,
          ),
          el('td', {}, o.callbacksPending),
        )
      }),
  )
  $('answered-rows').replaceChildren(
    ...r.recent
      .slice(0, 20)
      .map((a) =>
        el(
          'tr',
          {},
          el('td', { title: a.correlationId }, a.correlationId.slice(0, 12)),
          el('td', {}, a.type),
          el('td', { class: a.outcome === 'result' ? 'fresh' : 'stale' }, a.outcome),
          el('td', {}, `${((a.answeredAt - a.createdAt) / 1000).toFixed(2)} s`),
        ),
      ),
  )
}

// --- Kafka ---
const renderKafka = (k) => {
  $('lag-rows').replaceChildren(
    ...k.consumerLag.map((l) =>
      el(
        'tr',
        {},
        el('td', {}, l.topic),
        el('td', {}, l.consumer),
        el('td', { class: l.lag > 0 ? 'aging' : 'fresh' }, l.lag),
      ),
    ),
  )
  $('dlq-rows').replaceChildren(
    ...k.deadLetters.map((d) =>
      el(
        'tr',
        {},
        el('td', {}, d.topic),
        el('td', { class: d.lastHour > 0 ? 'stale' : 'fresh' }, d.lastHour),
        el(
          'td',
          { title: d.last?.from },
          d.last ? `${d.last.reason ?? d.last.code ?? ''} (${new Date(d.last.at).toLocaleString()})` : '–',
        ),
      ),
    ),
  )
  $('kafka-error').hidden = !k.error
  $('kafka-error').textContent = k.error ? `Kafka could not be read: ${k.error}` : ''
}

// --- Wiring ---
let searchTimer
$('feed-search').addEventListener('input', (e) => {
  clearTimeout(searchTimer)
  searchTimer = setTimeout(() => {
    feeds.q = e.target.value.trim()
    feeds.offset = 0
    loadFeeds().catch((err) => console.warn(err.message))
  }, 250)
})
$('feed-prev').addEventListener('click', () => {
  feeds.offset = Math.max(0, feeds.offset - feeds.limit)
  loadFeeds().catch((err) => console.warn(err.message))
})
$('feed-next').addEventListener('click', () => {
  if (feeds.offset + feeds.limit < feeds.total) feeds.offset += feeds.limit
  loadFeeds().catch((err) => console.warn(err.message))
})

every(2000, async () => renderOverview(await api('overview')))
// Node connections: the streaming bridge's clients (when it runs) and the HTTP bridge's request rate.
let bridgeRate
const renderStreaming = (streaming) => {
  const section = $('streaming')
  section.hidden = !streaming
  if (!streaming) return
  $('streaming-body').replaceChildren(
    el('p', {}, `HTTP bridge: ${bridgeRate === undefined ? 'measuring…' : `${bridgeRate.toFixed(1)} requests/s`}`),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el('tr', {}, el('th', {}, 'Node (gRPC stream)'), el('th', {}, 'Connected since'), el('th', {}, 'Assets')),
      ),
      el(
        'tbody',
        { id: 'streaming-rows' },
        streaming.clients.map((c) =>
          el(
            'tr',
            {},
            el('td', {}, c.peer),
            el('td', {}, new Date(c.connectedAt).toLocaleString()),
            el('td', {}, c.refused ? `${c.subscriptions} (+${c.refused} refused)` : c.subscriptions),
          ),
        ),
      ),
    ),
  )
}

// Parts other releases add (CCIP) report in the status model; their sections appear with them.
every(2000, async () => {
  const status = await api('status')
  renderStreaming(status.streaming)
  renderOptional('ccip', status.ccip)
})
every(2000, loadFeeds)
every(2000, async () => {
  if (!$('chains').hidden) renderChains(await api('chains'))
})
every(2000, async () => {
  if (!$('requests').hidden) renderRequests(await api('requests'))
})
every(10000, async () => renderKafka(await api('kafka')))
startStream()
