// `claw import --from …`: external CLI credential files and old Clawdbot state dirs, imported
// without overwriting what is already stored.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  oauthCredential,
} from '@claw/auth-profiles/testing'
import { findCanaries, findCanariesInFiles } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-import-')
})
afterEach(() => sandbox.dispose())

const DAY = 86_400_000

function normalize<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll(sandbox.root, '<root>')) as T
}

function store(agentId = 'main'): Doc {
  return JSON.parse(
    readFileSync(join(sandbox.agentDir(agentId), 'auth-profiles.json'), 'utf8'),
  ) as Doc
}

/** Canary hits in every output and file, except the stores and the import sources themselves. */
function leaks(secrets: readonly string[], sources: readonly string[]): readonly string[] {
  return [
    ...sandbox.outputs.flatMap((output, index) =>
      findCanaries(output, secrets, `output #${index}`),
    ),
    ...findCanariesInFiles(sandbox.root, secrets, {
      skipNames: ['auth-profiles.json', ...sources],
    }),
  ]
}

function writeFile(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value), { mode: 0o600 })
}

describe('claw import --from claude-cli', () => {
  it('imports ~/.claude/.credentials.json and skips it the second time (golden JSON)', async () => {
    const access = canarySecret('sk-ant-oat01-')
    const refresh = canarySecret('sk-ant-ort01-')
    const expiresAt = Date.now() + DAY
    writeFile(join(sandbox.home, '.claude', '.credentials.json'), {
      claudeAiOauth: { accessToken: access, refreshToken: refresh, expiresAt },
    })
    const first = await sandbox.run(['import', '--from', 'claude-cli', '--json'])
    expect(normalize(parseJsonOutput(first))).toEqual({
      schemaVersion: 1,
      source: 'claude-cli',
      path: '<root>/home/.claude/.credentials.json',
      dryRun: false,
      agents: [
        {
          agentId: 'main',
          agentDir: '<root>/state/agents/main/agent',
          imported: ['anthropic:claude-cli'],
          skipped: [],
          written: true,
        },
      ],
      legacyMigrated: [],
      legacyPending: [],
    })
    expect(store()['profiles']?.['anthropic:claude-cli']).toMatchObject({
      type: 'oauth',
      provider: 'anthropic',
      access,
      refresh,
      expires: expiresAt,
    })
    const second = await sandbox.run(['import', '--from', 'claude-cli'])
    expect(second.code).toBe(0)
    expect(second.stdout).toBe(
      [
        `Nothing to import from Claude Code (${join(sandbox.home, '.claude', '.credentials.json')}) into agent main.`,
        'Skipped 1:',
        '- anthropic:claude-cli: the stored credential is already up to date',
        '',
      ].join('\n'),
    )
    expect(leaks([access, refresh], ['.credentials.json'])).toEqual([])
  })

  it('never overwrites an API key profile, and reports a dry run', async () => {
    const key = canarySecret()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai-codex:codex-cli': apiKeyCredential('openai-codex', key) },
      }),
    )
    const codexFile = join(sandbox.root, 'codex-auth.json')
    const oauth = oauthCredential('openai-codex', Date.now() + DAY)
    writeFile(codexFile, {
      tokens: { access_token: oauth.access, refresh_token: oauth.refresh, account_id: 'acct' },
      last_refresh: new Date().toISOString(),
    })
    const result = await sandbox.run(['import', '--from', 'codex-cli', codexFile, '--dry-run'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      'Skipped 1:\n- openai-codex:codex-cli: the stored API key profile is never overwritten by an import\n',
    )
    expect(store()['profiles']?.['openai-codex:codex-cli']).toMatchObject({ type: 'api_key', key })
    expect(leaks([key, oauth.access, oauth.refresh], ['codex-auth.json'])).toEqual([])
  })

  it('fails clearly when the source file is missing, and rejects unknown sources', async () => {
    const missing = await sandbox.run(['import', '--from', 'qwen-cli'])
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `No Qwen Code credentials found at ${join(sandbox.home, '.qwen', 'oauth_creds.json')}.\n`,
    })
    const unknown = await sandbox.run(['import', '--from', 'gemini'])
    expect(unknown.stderr).toBe(
      'Unknown import source "gemini". Sources: claude-cli, codex-cli, qwen-cli, copilot, clawdbot, openclaw.\n',
    )
    const none = await sandbox.run(['import'])
    expect(none.stderr).toBe(
      'Missing --from <source>. Sources: claude-cli, codex-cli, qwen-cli, copilot, clawdbot, openclaw.\n',
    )
  })
})

describe('claw import --from clawdbot', () => {
  it('imports each old agent store into the same agent here, migrating a legacy auth.json', async () => {
    const old = join(sandbox.root, 'old-clawdbot')
    const mainKey = canarySecret()
    const workKey = canarySecret()
    const legacyKey = canarySecret()
    writeFile(
      join(old, 'agents', 'main', 'agent', 'auth-profiles.json'),
      buildAuthProfileStore({
        profiles: {
          'anthropic:default': apiKeyCredential('anthropic', mainKey),
          'openai:default': apiKeyCredential('openai', canarySecret()),
        },
      }),
    )
    writeFile(
      join(old, 'agents', 'work', 'agent', 'auth-profiles.json'),
      buildAuthProfileStore({
        profiles: { 'anthropic:work': apiKeyCredential('anthropic', workKey) },
      }),
    )
    writeFile(join(old, 'agents', 'legacy', 'agent', 'auth.json'), {
      groq: { type: 'api_key', key: legacyKey },
    })
    // Already here: must be kept.
    const existing = canarySecret()
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: { 'openai:default': apiKeyCredential('openai', existing) },
      }),
    )
    const result = await sandbox.run(['import', '--from', 'clawdbot', old, '--json'])
    const json = normalize(parseJsonOutput<Doc>(result))
    expect(json).toEqual({
      schemaVersion: 1,
      source: 'clawdbot',
      path: '<root>/old-clawdbot',
      dryRun: false,
      agents: [
        {
          agentId: 'main',
          agentDir: '<root>/state/agents/main/agent',
          imported: ['anthropic:default'],
          skipped: [
            {
              profileId: 'openai:default',
              reason: 'api_key',
              message:
                'openai:default: the stored API key profile is never overwritten by an import',
            },
          ],
          written: true,
        },
        {
          agentId: 'legacy',
          agentDir: '<root>/state/agents/legacy/agent',
          imported: ['groq:default'],
          skipped: [],
          written: true,
        },
        {
          agentId: 'work',
          agentDir: '<root>/state/agents/work/agent',
          imported: ['anthropic:work'],
          skipped: [],
          written: true,
        },
      ],
      legacyMigrated: ['<root>/old-clawdbot/agents/legacy/agent'],
      legacyPending: [],
    })
    expect(store()['profiles']?.['openai:default']?.['key']).toBe(existing)
    expect(store()['profiles']?.['anthropic:default']?.['key']).toBe(mainKey)
    expect(store('work')['profiles']?.['anthropic:work']?.['key']).toBe(workKey)
    expect(store('legacy')['profiles']?.['groq:default']?.['key']).toBe(legacyKey)
    expect(leaks([mainKey, workKey, legacyKey, existing], [])).toEqual([])
  })

  it('limits the import to --agent, and names the dir when nothing is there', async () => {
    const old = join(sandbox.root, 'old')
    writeFile(
      join(old, 'agents', 'work', 'agent', 'auth-profiles.json'),
      buildAuthProfileStore({ profiles: { 'anthropic:work': apiKeyCredential('anthropic') } }),
    )
    writeFile(
      join(old, 'agents', 'main', 'agent', 'auth-profiles.json'),
      buildAuthProfileStore({ profiles: { 'anthropic:main': apiKeyCredential('anthropic') } }),
    )
    const result = await sandbox.run(['import', '--from', 'clawdbot', old, '--agent', 'work'])
    expect(result.stdout).toBe(
      `Imported 1 profile from Clawdbot/OpenClaw (${old}) into agent work:\n- anthropic:work\n`,
    )
    const empty = await sandbox.run(['import', '--from', 'clawdbot', join(sandbox.root, 'nothing')])
    expect(empty).toEqual({
      code: 1,
      stdout: '',
      stderr: `No Clawdbot/OpenClaw credentials found at ${join(sandbox.root, 'nothing')}.\n`,
    })
  })
})
