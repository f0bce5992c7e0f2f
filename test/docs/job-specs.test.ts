import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { repoRoot } from '../../src/dev/paths'
import { checkJobSpec } from '../support/job-spec-check'

interface Block {
  file: string
  line: number
  /** The nearest heading above the block */
  heading: string
  text: string
}

/** Every ```toml block of the README and docs/, with the heading it sits under. */
const tomlBlocks = (): Block[] => {
  const files = [
    'README.md',
    ...readdirSync(join(repoRoot(), 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ]
  const blocks: Block[] = []
  for (const file of files) {
    const lines = readFileSync(join(repoRoot(), file), 'utf8').split('\n')
    let heading = ''
    for (let i = 0; i < lines.length; i++) {
      if (/^#{1,6} /.test(lines[i])) heading = lines[i]
      if (lines[i].trim() !== '```toml') continue
      const end = lines.indexOf('```', i + 1)
      blocks.push({ file, line: i + 1, heading, text: lines.slice(i + 1, end).join('\n') })
      i = end
    }
  }
  return blocks
}

// A golden-file check of the TOML, not a Chainlink node (none can run here): see test/support/job-spec-check.ts.
describe('job specs in the docs, against the golden files of required fields', () => {
  const blocks = tomlBlocks()

  test('the docs show a spec for each job type a current node has', () => {
    const types = new Set(blocks.map((b) => checkJobSpec(b.text).type))
    for (const type of ['cron', 'offchainreporting2', 'stream'])
      assert.ok(types.has(type), `no ${type} spec in the docs`)
  })

  for (const block of blocks) {
    test(`${block.file}:${block.line} parses and has its type's required fields`, () => {
      const check = checkJobSpec(block.text)
      assert.deepEqual(check.problems, [])
      if (check.legacy)
        assert.match(block.heading, /legacy/i, `${check.type} specs belong under a legacy heading: ${check.legacy}`)
    })
  }

  test("the README's first job spec is one a current node accepts", () => {
    const first = blocks.find((b) => b.file === 'README.md')
    assert.ok(first, 'the README shows no job spec')
    const check = checkJobSpec(first.text)
    assert.deepEqual(check.problems, [])
    assert.equal(check.legacy, undefined, `the README opens with a ${check.type} job`)
  })

  test('the check refuses what a node would: missing fields, a bad schedule, broken tasks', () => {
    const cron = (schedule: string, source: string) =>
      `type = "cron"\nschemaVersion = 1\nevmChainID = "1"\nschedule = "${schedule}"\nobservationSource = """\n${source}\n"""\n`
    const ok = `fetch [type="bridge" name="bifrost" requestData="{\\\\"data\\\\": {\\\\"feed\\\\": \\\\"ETH/USD\\\\"}}"]\nparse [type="jsonparse" path="data,result"]\nfetch -> parse`
    assert.deepEqual(checkJobSpec(cron('CRON_TZ=UTC 0 */5 * * * *', ok)).problems, [])
    const problems = (text: string) => checkJobSpec(text).problems.join('\n')
    assert.match(problems(cron('*/5 * * * *', ok)), /schedule .* does not match/)
    assert.match(
      problems(cron('@every 1m', 'fetch [type="bridge" requestData="{nope"]')),
      /bridge task fetch lacks name[\s\S]*requestData is not JSON/,
    )
    assert.match(
      problems(cron('@every 1m', `${ok}\nparse -> submit`)),
      /edge parse -> submit names submit, which is not declared/,
    )
    assert.match(
      problems(cron('@every 1m', 'fetch [type="bridge" name="b" async="yes"]')),
      /async must be true or false/,
    )
    assert.match(problems('type = "cron"\nschemaVersion = 1\n'), /evmChainID is missing[\s\S]*schedule is missing/)
    assert.match(problems('type = "webhook"\n'), /"webhook" has no golden file/)
    assert.match(problems('type = "cron'), /not TOML/)
  })
})
