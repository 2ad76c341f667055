// Store entries claw cannot use (an unknown credential type, an id claw refuses, malformed routing
// entries): every command keeps them in the file as they are, none routes to them, and
// `models auth list`, `models status` and `doctor` report them with the reason and no secret.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-entries-')
})
afterEach(() => sandbox.dispose())

const secrets = {
  sso: canarySecret('aws-sso-canary-'),
  inType: canarySecret('sk-type-canary-'),
  inProvider: canarySecret('sk-provider-canary-'),
  badId: canarySecret('sk-badid-canary-'),
  good: canarySecret('sk-good-canary-'),
  pasted: canarySecret('sk-mistral-canary-'),
}
const all = Object.values(secrets)

const ssoEntry = `{"type": "aws_sso", "provider": "aws", "2": "b", "1": "a", "n": 1.0, "secret": "${secrets.sso}"}`
const storeText = `{
  "version": 1,
  "profiles": {
    "aws:sso": ${ssoEntry},
    "openai:default": {"type": "api_key", "provider": "openai", "key": "${secrets.good}"},
    "weird:type": {"type": "${secrets.inType}", "provider": "weird"},
    "odd:provider": {"type": "x-future", "provider": "${secrets.inProvider}"},
    "openrouter:team/a": {"type": "api_key", "provider": "openrouter", "key": "${secrets.badId}"},
    "openai:": {"type": "api_key", "provider": "openai", "key": "${secrets.badId}"}
  },
  "order": {"openai": ["openai:default"], "aws": "aws:sso"}
}
`
const keptSnippets = [
  `"aws:sso": ${ssoEntry}`,
  `"weird:type": {"type": "${secrets.inType}", "provider": "weird"}`,
  `"odd:provider": {"type": "x-future", "provider": "${secrets.inProvider}"}`,
  `"openrouter:team/a": {"type": "api_key", "provider": "openrouter", "key": "${secrets.badId}"}`,
  `"openai:": {"type": "api_key", "provider": "openai", "key": "${secrets.badId}"}`,
  `"aws": "aws:sso"`,
]

const ignoredPaths = [
  'profiles["aws:sso"]',
  'profiles["weird:type"]',
  'profiles["odd:provider"]',
  'profiles["openrouter:team/a"]',
  'profiles["openai:"]',
  'order.aws',
]

interface IgnoredJson {
  file: string
  path: string
  kind: string
  reason: string
  profileId?: string
}

describe('entries the store keeps but claw cannot use', () => {
  it('survive a write by another command byte for byte', async () => {
    const storePath = sandbox.writeStore(storeText)
    const result = await sandbox.run(['models', 'auth', 'paste-api-key', '--provider', 'mistral'], {
      stdin: `${secrets.pasted}\n`,
    })
    expect(result.code).toBe(0)
    const text = readFileSync(storePath, 'utf8')
    for (const snippet of keptSnippets) expect(text).toContain(snippet)
    expect(
      (JSON.parse(text) as { profiles: Record<string, { key: string }> }).profiles[
        'mistral:default'
      ]?.key,
    ).toBe(secrets.pasted)
    expect(sandbox.leaks(all)).toEqual([])
  })

  it('are listed by `models auth list` with the reason (human and --json), never routed', async () => {
    sandbox.writeStore(storeText)
    const human = await sandbox.run(['models', 'auth', 'list'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('openai:default (openai/api_key)')
    expect(human.stdout).toContain(
      'Ignored store entries (6): kept in the file as they are, never used',
    )
    expect(human.stdout).toContain(
      'profiles["aws:sso"] in ' +
        join(sandbox.agentDir(), 'auth-profiles.json') +
        ': unknown credential type "aws_sso" (claw reads api_key, token and oauth); kept unchanged in the file, not used',
    )
    expect(human.stdout).toContain('profiles["openai:"]')
    expect(human.stdout).toContain(
      'invalid profile id (must be <provider>:<name> with neither part empty)',
    )

    const json = parseJsonOutput<{ profiles: { profileId: string }[]; ignored: IgnoredJson[] }>(
      await sandbox.run(['models', 'auth', 'list', '--json']),
    )
    expect(json.profiles.map((profile) => profile.profileId)).toEqual(['openai:default'])
    expect(json.ignored.map((entry) => entry.path)).toEqual(ignoredPaths)
    expect(json.ignored[0]).toMatchObject({ kind: 'profile', profileId: 'aws:sso' })

    const plain = await sandbox.run(['models', 'auth', 'list', '--plain'])
    expect(plain.stdout).toBe('openai:default\n')
    expect(plain.stderr).toContain('6 store entries are ignored')

    const logout = await sandbox.run(['models', 'auth', 'logout', 'aws:sso'])
    expect(logout.code).toBe(1)
    expect(logout.stderr).toContain('is in')
    expect(logout.stderr).toContain('but claw cannot use it')
    expect(sandbox.leaks(all)).toEqual([])
  })

  it('are reported by `models status` (human and --json) and `doctor`', async () => {
    sandbox.writeStore(storeText)
    const human = await sandbox.run(['models', 'status'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('Ignored store entries (6)')
    const json = parseJsonOutput<{
      auth: { ignoredEntries: IgnoredJson[]; providers: { provider: string }[] }
    }>(await sandbox.run(['models', 'status', '--json']))
    expect(json.auth.ignoredEntries.map((entry) => entry.path)).toEqual(ignoredPaths)
    expect(json.auth.providers.map((entry) => entry.provider)).not.toContain('aws')

    const doctor = parseJsonOutput<{ findings: { id: string; message: string }[] }>(
      await sandbox.run(['doctor', '--json']),
    )
    const ignored = doctor.findings.filter((finding) => finding.id === 'store.ignored_entry')
    expect(ignored.map((finding) => /^\S+ (\S+): /.exec(finding.message)?.[1])).toEqual(
      ignoredPaths,
    )
    expect(sandbox.leaks(all)).toEqual([])
  })

  it("of the main agent's store are reported for a sub-agent that reads it through", async () => {
    sandbox.writeStore(storeText)
    sandbox.writeStore({ version: 1, profiles: {} }, 'work')
    const json = parseJsonOutput<{ ignored: IgnoredJson[] }>(
      await sandbox.run(['models', 'auth', 'list', '--agent', 'work', '--json']),
    )
    expect(json.ignored.map((entry) => entry.file)).toEqual(
      ignoredPaths.map(() => join(sandbox.agentDir(), 'auth-profiles.json')),
    )
  })
})
