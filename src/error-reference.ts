import { ERROR_CODES, RETIRED_ERROR_CODES } from './error-codes'

const cell = (text: string): string => text.replace(/\|/g, '\\|')

/** docs/errors.md, generated from the error catalogue (`npm run docs`); a test fails when the file drifts. */
export const errorReference = (): string =>
  [
    '# Errors',
    '',
    '<!-- Generated from src/error-codes.ts by `npm run docs`: edit the catalogue, not this file. -->',
    '',
    'Every error Bifrost raises on purpose carries a stable `code` (the same in every version: grep logs and alert on it)',
    'and `retryable`: whether doing the same again, unchanged, may succeed. An error the adapter answers over HTTP has the',
    'status and the error `name` of its row. Retired codes are listed at the end and never given out again.',
    '',
    '| Code | Class | Retryable | HTTP | Meaning | How to fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...Object.entries(ERROR_CODES).map(([code, e]) =>
      [
        '',
        `\`${code}\``,
        e.className ? `\`${e.className}\`` : '',
        e.retryable ? 'yes' : 'no',
        e.http ? `${e.http.status} \`${e.http.name}\`` : '',
        cell(e.meaning),
        cell(e.fix),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
    '',
    '## Retired codes',
    '',
    RETIRED_ERROR_CODES.length === 0 ? 'None yet.' : RETIRED_ERROR_CODES.map((c) => `- \`${c}\``).join('\n'),
    '',
  ].join('\n')
