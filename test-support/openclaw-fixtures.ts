// The OpenClaw 2026.9 state-dir fixtures (written by OpenClaw itself, canary secrets only) live
// outside the repository, in `shared/fixtures/openclaw-2026.9/` next to the checkout (or next to
// one of its parent folders). Tests copy a fixture to a temp dir and work on the copy; they never
// touch the shared files.
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { chmodSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export type OpenClawFixtureName = 'fresh' | 'migrated-from-clawdbot'

const FIXTURES = join('shared', 'fixtures', 'openclaw-2026.9')

/**
 * The fixtures folder: `$CLAW_OPENCLAW_FIXTURES`, else `shared/fixtures/openclaw-2026.9` in the
 * first ancestor of the repository that has it. Throws (never skips) when it cannot be found.
 */
export function openClawFixturesDir(): string {
  const override = process.env['CLAW_OPENCLAW_FIXTURES']
  if (override) return override
  let dir = fileURLToPath(new URL('..', import.meta.url))
  for (;;) {
    const candidate = join(dir, FIXTURES)
    if (existsSync(join(candidate, 'README.md'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  throw new Error(
    `The OpenClaw 2026.9 fixtures were not found: expected ${FIXTURES}/ beside the repository (or one of its parent folders), or CLAW_OPENCLAW_FIXTURES naming the folder.`,
  )
}

/** A writable copy of a fixture in a new temp dir (the copy's root is the OpenClaw state dir). */
export function copyOpenClawFixture(name: OpenClawFixtureName): {
  readonly dir: string
  readonly dispose: () => void
} {
  const root = mkdtempSync(join(tmpdir(), `claw-openclaw-${name}-`))
  const dir = join(root, 'openclaw')
  cpSync(join(openClawFixturesDir(), name), dir, { recursive: true })
  // The shared copy is read-only; the temp copy is ours to damage in bad-input tests.
  const makeWritable = (path: string) => {
    chmodSync(path, statSync(path).isDirectory() ? 0o700 : 0o600)
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) makeWritable(join(path, entry))
    }
  }
  makeWritable(dir)
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) }
}

/** A fixture's `expected.json`. */
export function openClawExpected(name: OpenClawFixtureName): ExpectedFixture {
  return JSON.parse(
    readFileSync(join(openClawFixturesDir(), name, 'expected.json'), 'utf8'),
  ) as ExpectedFixture
}

/** One hash over every file (path, mode, bytes) under `dir`: proves a directory was not touched. */
export function hashTree(dir: string): string {
  const hash = createHash('sha256')
  const walk = (path: string) => {
    const stats = statSync(path)
    hash.update(`${relative(dir, path)}\u0000${stats.mode.toString(8)}\u0000`)
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry))
    } else {
      hash.update(readFileSync(path))
    }
  }
  walk(dir)
  return hash.digest('hex')
}

/** Every secret (`key`, `token`, `access`, `refresh`) of a fixture's expected stores. */
export function openClawSecrets(expected: ExpectedFixture): string[] {
  return Object.values(expected.agents).flatMap((agent) =>
    Object.values(agent.store.profiles).flatMap((profile) =>
      [profile['key'], profile['token'], profile['access'], profile['refresh']].filter(
        (value): value is string => typeof value === 'string',
      ),
    ),
  )
}

export interface ExpectedStore {
  readonly version: 1
  readonly profiles: Record<string, Record<string, unknown>>
  readonly order?: Record<string, string[]>
  readonly lastGood?: Record<string, string>
  readonly usageStats?: Record<string, Record<string, unknown>>
}

export interface ExpectedFixture {
  readonly configFile: string
  readonly schemaVersions: { readonly state: number; readonly agent: number }
  readonly openclawVersion: string
  readonly agents: Record<string, { readonly agentDir: string; readonly store: ExpectedStore }>
  readonly legacyIdMap?: Record<string, string>
  readonly legacyArchive?: string
  readonly config: {
    readonly model: { readonly primary: string; readonly fallbacks: string[] }
    readonly aliases: Record<string, string>
    readonly models: Record<string, Record<string, unknown>>
    readonly authProfiles: Record<string, Record<string, unknown>>
    readonly authOrder: Record<string, string[]> | null
    readonly agentIds: string[]
  }
}
