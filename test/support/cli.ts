import { spawn, type ChildProcess } from 'node:child_process'
import { extname, join } from 'node:path'
import { eventTransactions } from './kafka'

/**
 * Runs the real `bifrost` CLI in a child process: compiled (dist/) under `npm test`,
 * through the same tsx loader when a test file is run from source.
 */
const mainArgs = (): string[] => {
  const ext = extname(__filename)
  // Beside this file's own tree (src/ or dist/src/), so a build elsewhere runs its own CLI.
  const main = join(__dirname, '..', '..', 'src', 'cli', `main${ext}`)
  return [...process.execArgv.filter((a) => !a.startsWith('--test')), main]
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export const spawnCli = (args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess =>
  spawn(process.execPath, [...mainArgs(), ...args], {
    // Ports 0: the status page and the streaming bridge on any free port, so CLIs of parallel tests never collide.
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      HTTP_PORT: '0',
      STREAMS_PORT: '0',
      EVENTS_TRANSACTIONS: eventTransactions(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })

/** `bifrost dev` on free ports, on the suite's broker when it has one (else the dev stack starts its own test broker) */
export const spawnDev = (env: NodeJS.ProcessEnv = {}): ChildProcess =>
  spawnCli(['dev'], { EA_PORT: '0', METRICS_PORT: '0', KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '', ...env })

export const runCli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawnCli(args, env)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
export const waitForLine = (child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> =>
  new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    )
    const onData = (d: Buffer) => {
      seen += d.toString()
      const match = seen.match(pattern)
      if (match) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        resolve(match)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (d: Buffer) => (seen += d.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`process exited (${code}) before printing ${pattern}:\n${seen}`))
    })
  })
