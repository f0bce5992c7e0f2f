import { createHmac, timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'

/**
 * The page's EventSource cannot send an Authorization header, so the page logs
 * in once with the token and gets this HttpOnly cookie. Its value is derived
 * from the token (not the token itself) and holds no state: it stays valid
 * across restarts until the token changes.
 */
export const SESSION_COOKIE = 'bifrost_session'

const sessionValue = (token: string): string =>
  createHmac('sha256', token).update('bifrost operator page session').digest('base64url')

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const cookie = (req: Request, name: string): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return undefined
}

/** Whether the request carries the token (Authorization: Bearer) or the page's session cookie. */
export const isAuthorized = (req: Request, token: string | undefined): boolean => {
  if (!token) return true
  const header = req.headers.authorization
  if (header?.startsWith('Bearer ') && same(header.slice(7).trim(), token)) return true
  const session = cookie(req, SESSION_COOKIE)
  return session !== undefined && same(session, sessionValue(token))
}

export const requireToken =
  (token: string | undefined) =>
  (req: Request, res: Response, next: NextFunction): void => {
    if (isAuthorized(req, token)) return next()
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="bifrost"')
      .json({ error: 'Authorization: Bearer <token> required (the value of http.token / HTTP_TOKEN)' })
  }

const loginPage = (message?: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bifrost: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="status.css"></head>
<body class="login"><form method="post" action="login">
<h1>Bifrost</h1><p>This Bifrost asks for its API token (<code>http.token</code>, <code>HTTP_TOKEN</code>).</p>
${message ? `<p class="error">${message}</p>` : ''}
<label>Token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
<button type="submit">Sign in</button></form></body></html>`

export const loginForm = (_req: Request, res: Response): void => {
  res.type('html').send(loginPage())
}

/** POST /login: the token from the form, answered with the session cookie and a redirect to the page. */
export const login =
  (token: string | undefined) =>
  (req: Request, res: Response): void => {
    const given = typeof req.body?.token === 'string' ? req.body.token : ''
    if (!token) return void res.redirect(303, './')
    if (!same(given, token)) return void res.status(401).type('html').send(loginPage('That is not the token.'))
    res.cookie(SESSION_COOKIE, sessionValue(token), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: req.secure,
    })
    res.redirect(303, './')
  }

export const logout = (_req: Request, res: Response): void => {
  res.clearCookie(SESSION_COOKIE, { path: '/' })
  res.redirect(303, 'login')
}
