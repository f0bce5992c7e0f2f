/** What a command line gives a command: flag values by name. */
export type Values = Record<string, string | boolean | undefined>

export interface Command {
  summary: string
  options: Record<string, { type: 'string' | 'boolean'; description: string }>
  run(values: Values): Promise<number>
}

export const configOption = {
  config: { type: 'string', description: 'YAML or JSON config file (default: $BIFROST_CONFIG)' },
} as const
