import type { Config } from '../config/schema'
import { BifrostError } from '../errors'
import type { Json } from '../json'

/** A job spec cannot be printed from what was given; the message names the flag or setting that would fix it. */
export class JobSpecError extends BifrostError {
  static override readonly code = 'BIFROST_JOB_SPEC_INVALID'
}

/** The job types `bifrost jobspec` prints, each one a current node (v2.48 and later) accepts. */
export const JOB_SPEC_TYPES = ['cron', 'ocr2', 'stream', 'async-request'] as const
export type JobSpecType = (typeof JOB_SPEC_TYPES)[number]

export interface JobSpecOptions {
  type: JobSpecType
  /** Name the bridge has on the node (`bifrost bridge register --name`) */
  bridge: string
  /** Feed id asked for (cron, ocr2, stream) */
  feed: string
  /** cron and async-request: the consumer contract the ethtx task calls; ocr2: the aggregator (contractID) */
  contract?: string
  /** cron and async-request: 6-field cron schedule with CRON_TZ=, or @every */
  schedule: string
  /** EVM chain id; defaults to the first chain of events.chains */
  chainId?: number
  /** stream: the Data Streams stream id */
  streamId?: number
  /** async-request: the question's type and params */
  requestType: string
  params: Record<string, Json>
  /** The answer is multiplied by this before it goes on chain (cron, ocr2) */
  times: string
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
// Six fields (seconds first) behind a CRON_TZ= prefix, or an @ shorthand: what the node's cron library accepts.
const SCHEDULE =
  /^(CRON_TZ=\S+( \S+){6}|@every \d+(\.\d+)?(ms|s|m|h)(\d+(ms|s|m|h))*|@(yearly|annually|monthly|weekly|daily|midnight|hourly))$/

/** A value inside a pipeline task attribute, then inside a TOML basic string: `"` is `\"` for DOT, and `\` is `\\` for TOML. */
const attr = (text: string): string => text.replace(/\\/g, '\\\\\\\\').replace(/"/g, '\\\\"')

const requestData = (data: Record<string, Json>): string => attr(JSON.stringify({ data }))

const contractOf = (options: JobSpecOptions, config: Config, kind: 'aggregator' | 'client'): string => {
  const fromConfig = config.events.chains[0]?.contracts.find((c) => c.kind === kind)?.address
  const contract = options.contract ?? fromConfig
  if (!contract) {
    throw new JobSpecError(
      `--contract is required for --type ${options.type}: the ${
        kind === 'aggregator' ? 'aggregator' : 'consumer'
      } contract's address (no ${kind} contract in events.chains to default to)`,
    )
  }
  if (!ADDRESS.test(contract))
    throw new JobSpecError(`--contract must be a 0x-prefixed 20-byte address, not "${contract}"`)
  return contract
}

const chainIdOf = (options: JobSpecOptions, config: Config): number => {
  const chainId = options.chainId ?? config.events.chains[0]?.chainId
  if (chainId === undefined) {
    throw new JobSpecError('--chain-id is required: the EVM chain id of the job (no events.chains to default to)')
  }
  return chainId
}

const scheduleOf = (options: JobSpecOptions): string => {
  if (!SCHEDULE.test(options.schedule)) {
    throw new JobSpecError(
      `--schedule must be 6 cron fields (seconds first) behind CRON_TZ=, e.g. "CRON_TZ=UTC 0 */5 * * * *", or "@every 5m"; not "${options.schedule}"`,
    )
  }
  return options.schedule
}

/** A TOML basic string: JSON's escapes are TOML's. */
const toml = (text: string): string => JSON.stringify(text)

/**
 * bridge -> jsonparse [-> multiply] -> ethabiencode -> ethtx: the answer written
 * to a consumer contract's updateAnswer(int256), as the dev stack's aggregator has it.
 */
const cron = (o: JobSpecOptions, config: Config, fetch: string, what: string, scaled: boolean): string => {
  const answer = scaled ? 'scale' : 'parse'
  return `type = "cron"
schemaVersion = 1
name = ${toml(`Bifrost ${what}`)}
evmChainID = "${chainIdOf(o, config)}"
schedule = ${toml(scheduleOf(o))}
observationSource = """
    fetch     ${fetch}
    parse     [type="jsonparse" path="data,result" data="$(fetch)"]${
      scaled ? `\n    scale     [type="multiply" input="$(parse)" times="${timesOf(o)}"]` : ''
    }
    encode_tx [type="ethabiencode" abi="updateAnswer(int256 answer)" data="{ \\\\"answer\\\\": $(${answer}) }"]
    submit_tx [type="ethtx" to="${contractOf(o, config, 'aggregator')}" data="$(encode_tx)"]

    fetch -> parse -> ${scaled ? 'scale -> ' : ''}encode_tx -> submit_tx
"""
`
}

const timesOf = (o: JobSpecOptions): string => {
  if (!/^[1-9]\d{0,76}$/.test(o.times)) throw new JobSpecError(`--times must be a positive integer, not "${o.times}"`)
  return o.times
}

const median = (o: JobSpecOptions, source: string): string => `
    ${source} [type="bridge" name="${o.bridge}" requestData="${requestData({ feed: o.feed })}"]
    ${source}_parse [type="jsonparse" path="data,result" data="$(${source})"]
    ${source}_scale [type="multiply" input="$(${source}_parse)" times="${timesOf(o)}"]
    ${source} -> ${source}_parse -> ${source}_scale -> answer
    answer [type="median"]
`

/** LINK per ETH, times 10^18: juels (10^-18 LINK) per unit of the chain's fee coin */
const JUELS_FEED = 'ETH/LINK'

const ocr2 = (o: JobSpecOptions, config: Config): string => `type = "offchainreporting2"
schemaVersion = 1
name = ${toml(`Bifrost ${o.feed} (OCR2 median)`)}
relay = "evm"
pluginType = "median"
contractID = "${contractOf(o, config, 'aggregator')}"
ocrKeyBundleID = "<your OCR2 key bundle id>"
transmitterID = "<your node's transmitting address>"
observationSource = """${median(o, 'price')}"""

[relayConfig]
chainID = ${chainIdOf(o, config)}

[pluginConfig]
juelsPerFeeCoinSource = """${median({ ...o, feed: JUELS_FEED, times: '1000000000000000000' }, 'juels')}"""
`

const stream = (o: JobSpecOptions): string => {
  if (o.streamId === undefined || !Number.isInteger(o.streamId) || o.streamId < 0 || o.streamId > 0xffffffff) {
    throw new JobSpecError('--stream-id is required for --type stream: the Data Streams stream id (a uint32)')
  }
  return `type = "stream"
schemaVersion = 1
name = ${toml(`Bifrost ${o.feed} (stream ${o.streamId})`)}
streamID = ${o.streamId}
observationSource = """
    price [type="bridge" name="${o.bridge}" requestData="${requestData({ feed: o.feed })}"]
    parse [type="jsonparse" path="data,result" data="$(price)"]
    price -> parse
"""
`
}

/**
 * A job spec a current node accepts, filled from the configuration (chain id,
 * watched contracts) and the options. The specs are checked by the same
 * golden-file test as the ones in the docs.
 */
export const jobSpec = (options: JobSpecOptions, config: Config): string => {
  switch (options.type) {
    case 'cron': {
      const fetch = `[type="bridge" name="${options.bridge}" requestData="${requestData({ feed: options.feed })}"]`
      return cron(options, config, fetch, `${options.feed} (${options.schedule})`, true)
    }
    case 'async-request': {
      const data = { endpoint: 'request', type: options.requestType, params: options.params }
      const fetch = `[type="bridge" name="${options.bridge}" async="true" requestData="${requestData(data)}"]`
      // The enterprise system's result goes on chain as it is: it answers a number for this job
      return cron(options, config, fetch, `${options.requestType} (${options.schedule})`, false)
    }
    case 'ocr2':
      return ocr2(options, config)
    case 'stream':
      return stream(options)
  }
}
