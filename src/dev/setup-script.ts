import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { TestBrokerError } from './test-broker-error'

const STDERR_KEEP = 16_384

/**
 * Runs a bash script that makes something slow to make and caches it under `.cache/`
 * (native/mock-broker/build.sh, native/apache-kafka/fetch.sh) and returns the path it
 * prints last. Its progress goes to our stderr; its stderr tail goes into the error when it fails.
 */
export async function runSetupScript(script: string, what: string): Promise<string> {
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP)
    process.stderr.write(chunk)
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) => reject(new TestBrokerError(`Cannot run ${script}`, { cause: err })))
    child.on('close', resolve)
  })
  const path = stdout.trim().split('\n').pop() ?? ''
  if (code !== 0 || !path || !existsSync(path)) {
    throw new TestBrokerError(`${what} failed (${script} exited with ${code}):\n${stderr.trim()}`)
  }
  return path
}
