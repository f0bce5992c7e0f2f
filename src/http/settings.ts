import { isIP } from 'node:net'
import { z } from 'zod'

/** Hosts that only this machine can reach: the one case where the API may run without a token. */
export const isLoopback = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

const origin = z
  .string()
  .regex(/^https?:\/\/[^/\s]+$/, 'expected an origin such as https://backoffice.example.com (scheme and host, no path)')

export const httpSettings = z
  .object({
    enabled: z.boolean().default(true).meta({
      description: 'Serve the status page and the operator API (REST + Server-Sent Events) on their own port.',
      env: 'HTTP_ENABLED',
    }),
    host: z.string().min(1).default('127.0.0.1').meta({
      description:
        'Address the status page and API listen on. Any address other than loopback requires http.token (the Docker image sets 0.0.0.0).',
      env: 'HTTP_HOST',
    }),
    port: z.number().int().min(0).max(65_535).default(8081).meta({
      description: 'Port of the status page and API (0: any free port).',
      env: 'HTTP_PORT',
    }),
    token: z.string().min(16, 'use at least 16 characters').optional().meta({
      description:
        'Bearer token for /api (sent as `Authorization: Bearer …`); the page asks for it once and keeps an HttpOnly cookie. Unset: no authentication, loopback only.',
      env: 'HTTP_TOKEN',
      secret: true,
    }),
    cors: z.array(origin).default([]).meta({
      description: 'Browser origins allowed to call /api from other sites (CORS); none by default.',
      env: 'HTTP_CORS',
    }),
  })
  .prefault({})
  .superRefine((http, ctx) => {
    if (http.enabled && !http.token && !isLoopback(http.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: `required when http.host (HTTP_HOST) is ${http.host}, not a loopback address: set http.token (HTTP_TOKEN), or listen on 127.0.0.1`,
      })
    }
  })

export type HttpSettings = z.infer<typeof httpSettings>
