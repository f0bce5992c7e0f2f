import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { commands } from '../../src/cli/commands'
import { repoRoot } from '../../src/dev/paths'

const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')

/** The first cells of the rows of the README table under `heading` */
const firstCells = (heading: string): string[] => {
  const section = readme.slice(readme.indexOf(`## ${heading}\n`))
  const table = section.slice(section.indexOf('\n|'), section.indexOf('\n\n', section.indexOf('\n|') + 1))
  return [...table.matchAll(/^\| ((?:[^|\\]|\\.)+?) \|/gm)].map((m) => m[1]!).slice(2)
}

test('the README command table lists every command of the CLI, and no other', () => {
  const listed = new Set(firstCells('Command line').map((cell) => /^`bifrost ([a-z]+(?: [a-z]+)?)/.exec(cell)?.[1]))
  const names = Object.keys(commands)
  for (const name of names) assert.ok(listed.has(name), `README does not list \`bifrost ${name}\``)
  for (const name of listed) assert.ok(name && names.includes(name), `README lists \`bifrost ${name}\`, not a command`)
})

test('the README layout table lists every folder of src', () => {
  const listed = firstCells('Layout').flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
  const folders = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => [join(dir, e.name), ...folders(join(dir, e.name))])
  const src = join(repoRoot(), 'src')
  for (const folder of ['src', ...folders(src).map((f) => join('src', relative(src, f)))]) {
    const described = listed.includes(folder) || readme.includes(`\`${folder}\`:`)
    assert.ok(described, `README's layout table does not describe ${folder}`)
  }
})
