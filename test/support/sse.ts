import { eventually } from './eventually'

export interface SseMessage {
  id?: string
  event?: string
  data?: string
  /** Comment lines (": ...") seen since the previous message */
  comments: string[]
}

export interface SseClient {
  readonly status: number
  /** Every message dispatched or not (an id-only message included), in order */
  readonly messages: readonly SseMessage[]
  /** The id the browser's EventSource would send as Last-Event-ID now */
  readonly lastEventId: string | undefined
  readonly ended: boolean
  /** Messages with data, once at least `count` arrived */
  waitForEvents(count: number, timeoutMs?: number): Promise<SseMessage[]>
  close(): void
}

/** A Server-Sent Events reader that parses the stream as the spec says (fields, comments, blank-line dispatch). */
export const openSse = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
  const abort = new AbortController()
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal })
  const messages: SseMessage[] = []
  let lastEventId: string | undefined
  let ended = false
  let current: SseMessage = { comments: [] }
  let buffer = ''
  const onLine = (line: string) => {
    if (line === '') {
      if (current.id !== undefined) lastEventId = current.id
      if (current.id !== undefined || current.data !== undefined || current.event !== undefined) messages.push(current)
      current = { comments: [] }
      return
    }
    if (line.startsWith(':')) return void current.comments.push(line.slice(1).trim())
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'id') current.id = value
    else if (field === 'event') current.event = value
    else if (field === 'data') current.data = current.data === undefined ? value : `${current.data}\n${value}`
  }
  void (async () => {
    try {
      const decoder = new TextDecoder()
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let newline
        while ((newline = buffer.indexOf('\n')) >= 0) {
          onLine(buffer.slice(0, newline))
          buffer = buffer.slice(newline + 1)
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true
    }
  })()
  const withData = () => messages.filter((m) => m.data !== undefined)
  return {
    status: res.status,
    messages,
    get lastEventId() {
      return lastEventId
    },
    get ended() {
      return ended
    },
    waitForEvents: (count, timeoutMs = 60_000) =>
      eventually(`${count} events`, () => withData().length >= count && withData(), { timeoutMs, intervalMs: 20 }),
    close: () => abort.abort(),
  }
}
