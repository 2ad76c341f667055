// What `import('@claw/auth-profiles')` costs a process that only reads stores and resolves keys:
// heavy Node built-ins load on first use (node:crypto for refresh-lock names, Copilot cache keys
// and temp-file names; node:http for the loopback callback; node:child_process for exec
// SecretRefs). The benchmark measures the time; this pins the cause, on the built package.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const DIST = new URL('../dist/index.js', import.meta.url).href
const OPENCLAW_DIST = new URL('../dist/openclaw/index.js', import.meta.url).href
const OAUTH_DIST = new URL('../dist/oauth/index.js', import.meta.url).href

/** The files a module loads at import: its static relative imports, followed recursively. */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (url: string) => {
    if (seen.has(url)) return
    seen.add(url)
    const text = readFileSync(new URL(url), 'utf8')
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s*["'](\.[^"']+)["']/gm)) {
      visit(new URL(match[1]!, url).href)
    }
    for (const match of text.matchAll(/^import\s*["'](\.[^"']+)["']/gm)) {
      visit(new URL(match[1]!, url).href)
    }
  }
  visit(entry)
  return seen
}

/** Built-in modules a fresh node loads for `code` (an ESM snippet). */
function builtinsLoadedBy(code: string): string[] {
  const script = `${code}\nprocess.stdout.write(JSON.stringify(process.moduleLoadList))`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
  })
  expect(result.stderr).toBe('')
  return (JSON.parse(result.stdout) as string[])
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length))
}

describe('import cost', () => {
  it('importing the package loads neither node:crypto, node:http nor node:child_process', () => {
    const loaded = builtinsLoadedBy(`await import(${JSON.stringify(DIST)})`)
    expect(loaded).toContain('fs/promises')
    for (const builtin of ['crypto', 'http', 'child_process']) expect(loaded).not.toContain(builtin)
  })

  it('(control) a snippet that uses them is seen loading them', () => {
    const loaded = builtinsLoadedBy(
      `await import(${JSON.stringify(DIST)}); await import('node:crypto'); await import('node:http')`,
    )
    expect(loaded).toContain('crypto')
    expect(loaded).toContain('http')
  })

  it('the root entry loads none of the OpenClaw compat code (@claw/auth-profiles/openclaw)', () => {
    const root = staticGraph(DIST)
    const openclaw = staticGraph(OPENCLAW_DIST)
    const onlyOpenClaw = [...openclaw].filter((file) => !root.has(file))
    expect(onlyOpenClaw.length).toBeGreaterThan(0)
    for (const file of root) {
      expect(readFileSync(new URL(file), 'utf8'), file).not.toContain('openclaw-agent.sqlite')
    }
  })

  it('the root entry loads no login flow, refresh, SecretRef source or external-CLI import', () => {
    // The bundler heads each source module with `// src/<path>`: the source files an entry loads.
    const sourcesOf = (entry: string) =>
      new Set(
        [...staticGraph(entry)].flatMap((file) =>
          [...readFileSync(new URL(file), 'utf8').matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map(
            (match) => match[1]!,
          ),
        ),
      )
    const root = sourcesOf(DIST)
    expect(root).toContain('src/credentials/resolve-api-key.ts')
    // Loaded on first use instead: a static import of any of them would put it back here.
    const cold = [
      'src/oauth/login.ts',
      'src/oauth/authorization-code.ts',
      'src/oauth/device.ts',
      'src/oauth/loopback.ts',
      'src/oauth/refresh.ts',
      'src/oauth/copilot-token.ts',
    ]
    const oauth = sourcesOf(OAUTH_DIST)
    for (const file of cold) {
      expect(oauth).toContain(file)
      expect(root).not.toContain(file)
    }
    for (const file of root) {
      expect(file).not.toMatch(/^src\/credentials\/(secret-refs|external-cli)\/(?!secret-limits)/)
    }
  })

  it('importing the OpenClaw subpath loads no SQLite engine until a state dir is read', () => {
    const loaded = builtinsLoadedBy(`await import(${JSON.stringify(OPENCLAW_DIST)})`)
    expect(loaded).not.toContain('sqlite')
    expect(loaded).not.toContain('crypto')
  })
})
