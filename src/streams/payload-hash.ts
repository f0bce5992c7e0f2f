import { createHash } from 'node:crypto'

/**
 * What the node compares a response's `payload_hash` with: sha256 of the bridge
 * name followed by the Go `json.Marshal` of the subscription's data.
 */
export const payloadHash = (bridgeName: string, goJson: string): Buffer =>
  createHash('sha256').update(bridgeName, 'utf8').update(goJson, 'utf8').digest()
