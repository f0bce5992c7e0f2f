import { format } from 'node:util'
import { censor, type LoggerFactory } from '@chainlink/external-adapter-framework/util/logger'
import CensorList from '@chainlink/external-adapter-framework/util/censor/censor-list'
import type { LogSettings } from './settings'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
type Level = (typeof LEVELS)[number]

const COLOURS: Record<Level, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[41;97m',
}
const DIM = '\x1b[2m'
const RESET = '\x1b[0m'

const time = (date: Date): string =>
  `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}:${String(
    date.getSeconds(),
  ).padStart(2, '0')}.${String(date.getMilliseconds()).padStart(3, '0')}`

/** Primitive fields of a log object as key=value (kafkajs passes broker, error, ...); nested ones are left out. */
const fields = (obj: Record<string, unknown>): string =>
  Object.entries(obj)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object' && typeof v !== 'function')
    .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
    .join(' ')

/** A pino-style call (message; object and message; error) as one line's message and extra fields. */
const describe = (args: unknown[]): { message: string; extra: string } => {
  const [first, ...rest] = args
  if (first instanceof Error) return { message: first.message, extra: '' }
  if (first && typeof first === 'object') {
    const obj = first as Record<string, unknown>
    const message = rest.length > 0 ? format(...rest) : typeof obj['msg'] === 'string' ? obj['msg'] : ''
    const err = obj['err'] ?? obj['error']
    const extra = fields(obj) + (err instanceof Error ? ` error=${JSON.stringify(err.message)}` : '')
    return { message, extra: extra.trim() }
  }
  return { message: format(...args), extra: '' }
}

export interface PrettyOptions {
  colour: boolean
  /** Lowest level written */
  level: Level
  write(line: string): void
  now?: () => Date
}

/**
 * Log lines for a person at a terminal: one line each (newlines in a message
 * are folded), time, level, part, message; coloured when the output is a TTY.
 * Secrets are censored exactly as in the framework's JSON lines.
 */
export const prettyLoggerFactory = (options: PrettyOptions): LoggerFactory => {
  const threshold = LEVELS.indexOf(options.level)
  const now = options.now ?? (() => new Date())
  return {
    child: ({ layer }) => {
      const logger: Record<string, (...args: unknown[]) => void> = {}
      for (const level of LEVELS) {
        logger[level] =
          LEVELS.indexOf(level) < threshold
            ? () => undefined
            : (...args: unknown[]) => {
                const { message, extra } = describe(args)
                const line = `${message}${extra ? `  ${extra}` : ''}`.replace(/\s*\n\s*/g, ' ⏎ ')
                const text = censor(line, CensorList.getAll()) as string
                const label = level.toUpperCase().padEnd(5)
                const part = layer.padEnd(16)
                options.write(
                  options.colour
                    ? `${DIM}${time(now())}${RESET} ${COLOURS[level]}${label}${RESET} ${DIM}${part}${RESET} ${text}\n`
                    : `${time(now())} ${label} ${part} ${text}\n`,
                )
              }
      }
      return logger as unknown as ReturnType<LoggerFactory['child']>
    },
  }
}

const envLevel = (): Level => {
  const level = process.env['LOG_LEVEL']?.toLowerCase()
  return (LEVELS as readonly string[]).includes(level ?? '') ? (level as Level) : 'info'
}

/** The sink for every logger: undefined keeps the framework's JSON lines (log.format json or unset). */
export const createLoggerFactory = (settings: LogSettings): LoggerFactory | undefined =>
  settings.format === 'pretty'
    ? prettyLoggerFactory({
        colour: Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'],
        level: envLevel(),
        write: (line) => void process.stdout.write(line),
      })
    : undefined
