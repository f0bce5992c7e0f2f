import { join } from 'node:path'
import type { StatusBoard } from '../status/snapshot'
import type { ServerHook } from './server'

/**
 * Adds Bifrost's own state to the framework's `/status`, which the node polls:
 * every field the framework answers stays as it is, and `bifrost` holds the
 * status model. `preSerialization` sees the framework's answer as an object.
 */
export const statusHook =
  (board: StatusBoard): ServerHook =>
  (app, adapter) => {
    const route = join(adapter.config.settings.BASE_URL, '/status')
    app.addHook('preSerialization', (req, _reply, payload, done) => {
      if (req.method !== 'GET' || req.routeOptions.url !== route || typeof payload !== 'object' || payload === null) {
        return done(null, payload)
      }
      done(null, { ...payload, bifrost: board.snapshot() })
    })
  }
