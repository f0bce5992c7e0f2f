import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { repoRoot } from '../../../src/dev/paths'
import { CCIP_CHAIN_SELECTORS } from '../../../src/outbound/families/ccip-chain-selectors.generated'
import { generatedModule, selectorsFromYaml, selectorTable } from '../../../src/outbound/families/ccip-selectors'

/** CCIP's public table, where the project keeps it (outside the repository) */
const SHARED_TABLE = join(repoRoot(), '..', 'shared', 'data', 'ccip-evm-chain-selectors.yml')

describe('CCIP chain selectors', () => {
  test(
    'the built-in table is the generated copy of ccip-evm-chain-selectors.yml',
    { skip: !existsSync(SHARED_TABLE) && `${SHARED_TABLE} is not here` },
    () => {
      const table = selectorsFromYaml(readFileSync(SHARED_TABLE, 'utf8'))
      assert.deepEqual(CCIP_CHAIN_SELECTORS, table, 'out of date: npm run ccip-selectors')
      assert.equal(
        readFileSync(join(repoRoot(), 'src/outbound/families/ccip-chain-selectors.generated.ts'), 'utf8'),
        generatedModule(table),
      )
    },
  )

  test('selectors keep all 20 digits of a uint64, and events.ccip.chainSelectors adds or replaces entries', () => {
    const yaml =
      'selectors:\n  1:\n    selector: 5009297550715157269\n    name: "ethereum-mainnet"\n    network_type: mainnet\n'
    assert.deepEqual(selectorsFromYaml(yaml), { '1': { selector: '5009297550715157269', name: 'ethereum-mainnet' } })
    const table = selectorTable({
      '31337': { selector: '42', name: 'my-devnet' },
      '777': { selector: '7', name: 'mine' },
    })
    assert.deepEqual(table.byChainId(31337), { selector: '42', name: 'my-devnet' })
    assert.equal(table.nameOf('7'), 'mine')
    assert.equal(table.nameOf('5009297550715157269'), 'ethereum-mainnet')
    assert.equal(table.byChainId(123_456_789_123), undefined)
  })
})
