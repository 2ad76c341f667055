// The TypeScript code blocks of the repository's Markdown files, for the consumer check to
// type-check as a user who copies them would.
//
// A block is checked when its info string starts with `ts` or `typescript`; a block that is not
// meant to compile (a fragment, pseudo-code) says so with `no-compile` in its info string:
// ```` ```ts no-compile ````. Each block is its own module.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.tools', '.git', '.changeset', 'coverage'])

/** Every Markdown file of the repository except changelogs and changesets, sorted. */
export function markdownFiles(root) {
  const found = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') && entry.name !== '.ci') continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path)
      } else if (entry.name.endsWith('.md') && entry.name !== 'CHANGELOG.md') {
        found.push(relative(root, path))
      }
    }
  }
  walk(root)
  return found.sort()
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/

/**
 * The code blocks of one Markdown text: `{ line, lang, tags, code }`, `line` being the 1-based
 * line of the first line of code.
 */
export function codeBlocks(text) {
  const blocks = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index += 1) {
    const open = FENCE.exec(lines[index])
    if (!open) continue
    const [, indent, fence, lang, rest] = open
    const body = []
    let end = index + 1
    while (end < lines.length) {
      const close = FENCE.exec(lines[end])
      if (close && close[2].startsWith(fence[0]) && close[2].length >= fence.length && !close[3])
        break
      body.push(lines[end].startsWith(indent) ? lines[end].slice(indent.length) : lines[end])
      end += 1
    }
    blocks.push({
      line: index + 2,
      lang: lang.toLowerCase(),
      tags: rest.split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    })
    index = end
  }
  return blocks
}

/** The TypeScript blocks of every Markdown file that are meant to compile. */
export function typescriptSnippets(root) {
  const snippets = []
  for (const file of markdownFiles(root)) {
    for (const block of codeBlocks(readFileSync(join(root, file), 'utf8'))) {
      if (block.lang !== 'ts' && block.lang !== 'typescript') continue
      if (block.tags.includes('no-compile')) continue
      snippets.push({ file, line: block.line, code: block.code })
    }
  }
  return snippets
}
