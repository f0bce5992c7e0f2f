import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BifrostError } from '../errors'
import { freePort } from './free-ports'

export class AnvilError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_ANVIL_FAILED'
}

export interface Anvil {
  rpcUrl: string
  port: number
  /** anvil's --cache-path, removed on stop */
  cacheDir: string
  stop(): Promise<void>
}

export interface AnvilOptions {
  /** Seconds between automatically mined blocks; unset mines one block per transaction */
  blockTime?: number
  /** EIP-155 chain id (default 31337); distinct ids let one process watch several local chains */
  chainId?: number
}

const READY_TIMEOUT_MS = 10_000
const START_ATTEMPTS = 3

const anvilBinary = (): string => {
  try {
    return require.resolve('@foundry-rs/anvil-linux-amd64/bin/anvil')
  } catch (cause) {
    throw new AnvilError(
      'anvil is not installed: the optional dependency @foundry-rs/anvil-linux-amd64 is missing (linux x64 only)',
      { cause },
    )
  }
}

const chainIdAnswers = async (rpcUrl: string): Promise<boolean> => {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    return res.ok && typeof ((await res.json()) as { result?: unknown }).result === 'string'
  } catch {
    return false
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()))

const launch = async (binary: string, cacheDir: string, options: AnvilOptions): Promise<Anvil> => {
  const port = await freePort()
  // Without --max-persisted-states 0 anvil keeps ~1.5 MB of state per block on disk
  // and never cleans it; without cancun, mining slows tenfold after a few thousand blocks.
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent', '--hardfork', 'cancun']
  args.push('--max-persisted-states', '0', '--cache-path', cacheDir)
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId))
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)))
  const rpcUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + READY_TIMEOUT_MS
  let spawnError: Error | undefined
  child.once('error', (err) => (spawnError = err))
  while (!(await chainIdAnswers(rpcUrl))) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      throw new AnvilError(`anvil exited before answering on port ${port}: ${spawnError?.message ?? stderr.trim()}`, {
        cause: spawnError,
      })
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      await exited(child)
      throw new AnvilError(`anvil did not answer eth_chainId on ${rpcUrl} within ${READY_TIMEOUT_MS} ms`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    rpcUrl,
    port,
    cacheDir,
    stop: async () => {
      child.kill('SIGTERM')
      await exited(child)
    },
  }
}

/**
 * A real local EVM node for tests, benchmarks and `bifrost dev`. Each instance
 * gets its own port and cache directory, removed again on stop.
 */
export const startAnvil = async (options: AnvilOptions = {}): Promise<Anvil> => {
  const binary = anvilBinary()
  const cacheDir = await mkdtemp(join(tmpdir(), 'bifrost-anvil-'))
  let lastError: unknown
  // The free port is only free until someone else takes it; try another on a clash.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      const anvil = await launch(binary, cacheDir, options)
      return {
        ...anvil,
        stop: async () => {
          await anvil.stop()
          await rm(cacheDir, { recursive: true, force: true })
        },
      }
    } catch (err) {
      lastError = err
    }
  }
  await rm(cacheDir, { recursive: true, force: true })
  throw lastError
}
