import { readFileSync } from 'node:fs'
import { loadConfig } from '../config/load'
import { redactUrl } from '../redact'
import { BifrostError } from '../errors'
import { registerBridge, type NodeCredentials } from './bridge-register'
import { configOption, type Command, type Values } from './command'
import { JOB_SPEC_TYPES, jobSpec, JobSpecError, type JobSpecType } from './jobspec'

/** A command line that cannot work: the message names the flag. */
export class UsageError extends BifrostError {
  static override readonly code = 'BIFROST_USAGE'
}

const text = (values: Values, flag: string): string | undefined => values[flag] as string | undefined

const credentialsOf = (values: Values): NodeCredentials => {
  const cookie = text(values, 'cookie')
  const email = text(values, 'email')
  const passwordFile = text(values, 'password-file')
  if (cookie !== undefined && (email !== undefined || passwordFile !== undefined)) {
    throw new UsageError('give either --cookie or --email with --password-file, not both')
  }
  if (cookie !== undefined) return { cookie }
  if (email === undefined || passwordFile === undefined) {
    throw new UsageError('log in with --email and --password-file (a file holding the password), or pass --cookie')
  }
  let password: string
  try {
    password = readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '')
  } catch (cause) {
    throw new UsageError(
      `cannot read --password-file ${passwordFile}: ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      {
        cause,
      },
    )
  }
  return { email, password }
}

const integer = (values: Values, flag: string): number | undefined => {
  const value = text(values, flag)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, not "${value}"`)
  return Number(value)
}

/** The commands that talk to, or print for, a Chainlink node. */
export const nodeCommands: Record<string, Command> = {
  jobspec: {
    summary: 'Print a Chainlink job spec (TOML) for a current node, filled from the configuration',
    options: {
      ...configOption,
      type: { type: 'string', description: `Job type: ${JOB_SPEC_TYPES.join(', ')}` },
      feed: { type: 'string', description: 'Feed asked for (default ETH/USD)' },
      contract: {
        type: 'string',
        description:
          'cron, async-request: the contract updateAnswer(int256) is sent to; ocr2: the aggregator (default: events.chains)',
      },
      schedule: {
        type: 'string',
        description: 'cron, async-request: CRON_TZ=... with 6 fields, or @every (default every 5 min)',
      },
      'chain-id': { type: 'string', description: 'EVM chain id (default: the first of events.chains)' },
      bridge: { type: 'string', description: 'The bridge name on the node (default bifrost)' },
      'stream-id': { type: 'string', description: 'stream: the Data Streams stream id' },
      'request-type': { type: 'string', description: 'async-request: what is asked (default shipment-status)' },
      params: { type: 'string', description: "async-request: the question's parameters as a JSON object (default {})" },
      times: { type: 'string', description: 'cron, ocr2: the answer is multiplied by this (default 100000000)' },
    },
    run: async (values) => {
      const type = text(values, 'type') as JobSpecType | undefined
      if (!type || !JOB_SPEC_TYPES.includes(type)) {
        throw new UsageError(`--type must be one of ${JOB_SPEC_TYPES.join(', ')}${type ? `, not "${type}"` : ''}`)
      }
      let params: unknown = {}
      try {
        params = JSON.parse(text(values, 'params') ?? '{}')
      } catch {
        throw new JobSpecError('--params must be a JSON object, e.g. \'{"shipment": "4711"}\'')
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new JobSpecError('--params must be a JSON object, e.g. \'{"shipment": "4711"}\'')
      }
      const config = loadConfig({ file: text(values, 'config') })
      const spec = jobSpec(
        {
          type,
          bridge: text(values, 'bridge') ?? 'bifrost',
          feed: text(values, 'feed') ?? 'ETH/USD',
          contract: text(values, 'contract'),
          schedule: text(values, 'schedule') ?? 'CRON_TZ=UTC 0 */5 * * * *',
          chainId: integer(values, 'chain-id'),
          streamId: integer(values, 'stream-id'),
          requestType: text(values, 'request-type') ?? 'shipment-status',
          params: params as Record<string, never>,
          times: text(values, 'times') ?? '100000000',
        },
        config,
      )
      process.stdout.write(spec)
      return 0
    },
  },
  'bridge register': {
    summary: "Register Bifrost as a bridge on a Chainlink node through the node's operator API",
    options: {
      node: { type: 'string', description: "The node's operator API, e.g. http://chainlink:6688" },
      email: { type: 'string', description: "The node operator's login e-mail (with --password-file)" },
      'password-file': { type: 'string', description: 'A file holding the password (never printed)' },
      cookie: { type: 'string', description: 'A session cookie (clsession=...) instead of logging in' },
      name: { type: 'string', description: 'Bridge name (default bifrost)' },
      url: { type: 'string', description: 'Where the node reaches Bifrost (default http://localhost:$EA_PORT)' },
      streaming: {
        type: 'boolean',
        description: 'Turn the connection manager on (useConnectionManager) for the streaming bridge',
      },
      update: { type: 'boolean', description: 'Change an existing bridge of that name whose URL or flag differ' },
    },
    run: async (values) => {
      const node = text(values, 'node')
      if (!node) throw new UsageError("--node is required: the node's operator API, e.g. http://chainlink:6688")
      if (!URL.canParse(node) || !/^https?:$/.test(new URL(node).protocol) || new URL(node).username) {
        throw new UsageError("--node must be the node's http(s) URL without credentials, e.g. http://chainlink:6688")
      }
      const streaming = values['streaming'] === true
      const url = text(values, 'url')
      if (streaming && !url) {
        throw new UsageError(
          '--url is required with --streaming: the address of the streaming bridge (docs/streams.md)',
        )
      }
      const name = text(values, 'name') ?? 'bifrost'
      const bridgeUrl = url ?? `http://localhost:${process.env['EA_PORT'] || 8080}`
      const outcome = await registerBridge({
        node,
        credentials: credentialsOf(values),
        name,
        url: bridgeUrl,
        streaming,
        update: values['update'] === true,
      })
      const what = `bridge ${name} -> ${redactUrl(bridgeUrl)} (useConnectionManager ${streaming})`
      const on = `on ${redactUrl(node)}`
      if (outcome.action === 'differs') {
        console.error(
          `Bridge ${name} ${on} points at ${redactUrl(outcome.currentUrl)} (useConnectionManager ${
            outcome.currentStreaming
          }), ` +
            `not ${redactUrl(
              bridgeUrl,
            )} (useConnectionManager ${streaming}); left alone. Run again with --update to change it.`,
        )
        return 1
      }
      console.log(
        `${
          outcome.action === 'unchanged' ? 'Already registered' : outcome.action === 'created' ? 'Created' : 'Updated'
        }: ${what} ${on}`,
      )
      return 0
    },
  },
}
