/** A JSON value: what goes into and comes out of Kafka message values and bridge bodies. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/**
 * Whether a parsed value nests deeper than `limit` arrays/objects. Walks without recursion: the point is to refuse
 * values (thousands of levels deep) that would overflow the stack of every recursive step after it.
 */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (node === null || typeof node !== 'object') continue
    if (depth + 1 > limit) return true
    for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return false
}
