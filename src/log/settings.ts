import { z } from 'zod'

export const LOG_FORMATS = ['json', 'pretty'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export const logSettings = z
  .object({
    format: z.enum(LOG_FORMATS).optional().meta({
      description:
        'json: one JSON object a line (for log collectors; the default of `bifrost serve`). pretty: one readable line each, coloured on a terminal (the default of `bifrost dev`).',
      env: 'LOG_FORMAT',
    }),
  })
  .prefault({})

export type LogSettings = z.infer<typeof logSettings>
