import { createHash } from 'node:crypto'

/**
 * What the node compares a response's `payload_hash` with: sha256 of the bridge
 * name followed by the Go `json.Marshal` of the subscription's data.
 */
export const payloadHash = (bridgeName: string, goJson: string): Buffer =>
  createHash('sha256').update(bridgeName, 'utf8').update(goJson, 'utf8').digest()

/** The node leaves a `bridge-` prefix out of the name it hashes. */
export const hashedBridgeName = (name: string): string =>
  name.startsWith('bridge-') ? name.slice('bridge-'.length) : name
