#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { BifrostError } from '../errors'
import { commands, type Command } from './commands'

const MIN_NODE_MAJOR = 22

const usage = (): string =>
  [
    'Usage: bifrost <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`),
    '',
    'Run `bifrost <command> --help` for the options of a command.',
  ].join('\n')

const commandHelp = (name: string, command: Command): string => {
  const lines = [`Usage: bifrost ${name} [options]`, '', command.summary, '', 'Options:']
  for (const [flag, spec] of Object.entries(command.options)) {
    const arg = spec.type === 'string' ? ' <value>' : ''
    lines.push(`  --${flag}${arg}`.padEnd(30) + spec.description)
  }
  lines.push('  --help'.padEnd(30) + 'Show this help')
  return lines.join('\n')
}

const main = async (argv: string[]): Promise<number> => {
  const major = Number(process.versions.node.split('.')[0])
  if (major < MIN_NODE_MAJOR) {
    console.error(
      `bifrost needs Node ${MIN_NODE_MAJOR} or newer (this is ${process.version}); run it through npm scripts, which use the pinned Node from node_modules`,
    )
    return 1
  }
  if (!argv[0] || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(usage())
    return 0
  }
  // Two-word commands (`bridge register`) before one-word ones
  const words = commands[`${argv[0]} ${argv[1]}`] ? 2 : 1
  const name = argv.slice(0, words).join(' ')
  const rest = argv.slice(words)
  const command = commands[name]
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage()}`)
    return 2
  }
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } }
  for (const [flag, spec] of Object.entries(command.options)) options[flag] = { type: spec.type }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${commandHelp(name, command)}`)
    return 2
  }
  if (values['help']) {
    console.log(commandHelp(name, command))
    return 0
  }
  return command.run(values)
}

main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands resolve only when they have shut down.
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(err instanceof BifrostError ? err.message : err)
    // A start that failed half-way may leave a client retrying its connection: it must not keep the process
    process.stderr.write('', () => process.exit(1))
  },
)
