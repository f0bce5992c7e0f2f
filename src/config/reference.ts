import { describeSettings } from './describe'

const cell = (value: unknown): string => (value === undefined ? '' : `\`${JSON.stringify(value)}\``)

/** The configuration reference as a Markdown table; the README embeds this output verbatim. */
export const configReference = (): string =>
  [
    '| Setting | Environment | Type | Default | Description |',
    '| --- | --- | --- | --- | --- |',
    ...describeSettings().map(
      (s) =>
        `| \`${s.path}\` | ${s.env ? `\`${s.env}\`` : ''} | ${s.type} | ${cell(s.default)} | ${s.description.replace(/\|/g, '\\|')} |`,
    ),
  ].join('\n')
