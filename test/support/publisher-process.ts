import { spawn, type ChildProcess } from 'node:child_process'
import { extname, join } from 'node:path'

/** The publisher alone in a child process (event-publisher-process), compiled or (from source) through the same tsx loader */
export const publisherProcess = (env: NodeJS.ProcessEnv): ChildProcess => {
  const entry = join(__dirname, `event-publisher-process${extname(__filename)}`)
  return spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), entry], {
    env: { ...process.env, LOG_LEVEL: 'fatal', ...env },
    stdio: 'ignore',
  })
}

/** kill -9, resolved once the process is gone */
export const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
