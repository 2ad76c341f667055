// Over 400 lines: the store front door against real files, a describe per function.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runNodeScript } from '../../../../test-support/node-script.ts'
import { agentDir, root, storePath, useTempAgentDir } from '../../test/helpers/agent-dir.js'
import { catchAuthError } from '../../test/helpers/errors.js'
import { createFileAuthStore } from './file-store.js'
import { createMemoryAuthStore } from './memory-store.js'
import type { StoreDiagnostic } from './store-parse.js'
import {
  loadAuthProfileStore,
  migrateLegacyAuthStore,
  removeAuthProfile,
  updateAuthProfileStore,
  upsertAuthProfile,
} from './store.js'
import { apiKeyCredential, canarySecret, oauthCredential } from '../testing/index.js'

useTempAgentDir('claw-store-')

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

function writeStore(content: string | Buffer): void {
  mkdirSync(agentDir, { recursive: true, mode: 0o700 })
  writeFileSync(storePath, content, { mode: 0o600 })
}

const referenceStore = `{
  "version": 1,
  "profiles": {
    "anthropic:me@example.com": {
      "type": "oauth",
      "provider": "anthropic",
      "access": "access-token",
      "refresh": "refresh-token",
      "expires": 1767225600000,
      "email": "me@example.com"
    },
    "openai:work": {
      "type": "api_key",
      "provider": "openai",
      "key": "sk-openai-2"
    }
  },
  "order": {
    "anthropic": [
      "anthropic:me@example.com"
    ]
  },
  "lastGood": {
    "openai": "openai:work"
  },
  "usageStats": {
    "openai:work": {
      "lastUsed": 1767225000000,
      "errorCount": 0
    }
  }
}
`

describe('file store: format', () => {
  it("reads OpenClaw's format and writes it back byte for byte", async () => {
    writeStore(referenceStore)
    const store = await loadAuthProfileStore({ agentDir })
    expect(Object.keys(store.profiles)).toEqual(['anthropic:me@example.com', 'openai:work'])
    await updateAuthProfileStore({ agentDir }, (fresh) => {
      fresh.lastGood = { openai: 'openai:other' }
    })
    await updateAuthProfileStore({ agentDir }, (fresh) => {
      fresh.lastGood = { openai: 'openai:work' }
    })
    expect(readFileSync(storePath, 'utf8')).toBe(referenceStore)
  })

  it('keeps unknown credential fields', async () => {
    writeStore(
      '{"version":1,"profiles":{"a:b":{"type":"api_key","provider":"a","key":"k","future":{"x":1}}}}',
    )
    await updateAuthProfileStore({ agentDir }, (store) => {
      store.lastGood = { a: 'a:b' }
    })
    const written = JSON.parse(readFileSync(storePath, 'utf8')) as {
      profiles: Record<string, { future?: unknown }>
    }
    expect(written.profiles['a:b']?.future).toEqual({ x: 1 })
  })

  it('leaves unknown entries out of the store with a diagnostic the caller can see', async () => {
    writeStore(
      JSON.stringify({
        version: 1,
        profiles: {
          'ok:a': { type: 'api_key', provider: 'ok', key: 'k' },
          'weird:a': { type: 'aws-sdk', provider: 'weird' },
          'noprovider:a': { type: 'api_key', key: 'k' },
          'bad\u0007id': { type: 'api_key', provider: 'x', key: 'k' },
        },
        order: { ok: 'not-a-list', other: ['  ', 'ok:a'] },
        usageStats: { 'ok:a': { lastUsed: 'yesterday', cooldownReason: 'mystery', errorCount: 2 } },
      }),
    )
    const diagnostics: StoreDiagnostic[] = []
    const store = await loadAuthProfileStore({
      agentDir,
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    })
    expect(Object.keys(store.profiles)).toEqual(['ok:a'])
    expect(store.order).toEqual({ other: ['ok:a'] })
    expect(store.usageStats).toEqual({ 'ok:a': { errorCount: 2 } })
    expect(diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.path}`)).toEqual(
      expect.arrayContaining([
        'ignored_profile profiles["weird:a"]',
        'ignored_profile profiles["noprovider:a"]',
        'ignored_profile profiles["bad\\u0007id"]',
        'ignored_entry order.ok',
        'ignored_field usageStats["ok:a"].lastUsed',
        'ignored_field usageStats["ok:a"].cooldownReason',
      ]),
    )
    expect(diagnostics.every((diagnostic) => diagnostic.file === storePath)).toBe(true)
  })

  it('reads a recorded usage window and keeps a malformed one aside', async () => {
    const usageLimit = { window: '7d', resetsAt: 1767225600000, usedPercent: 100 }
    writeStore(
      JSON.stringify({
        version: 1,
        profiles: {
          'a:one': { type: 'api_key', provider: 'a', key: 'k' },
          'a:two': { type: 'api_key', provider: 'a', key: 'k' },
        },
        usageStats: {
          'a:one': { cooldownUntil: 1767225600000, usageLimit },
          'a:two': { cooldownUntil: 1767225600000, usageLimit: { window: '', resetsAt: 'soon' } },
        },
      }),
    )
    const diagnostics: StoreDiagnostic[] = []
    const store = await loadAuthProfileStore({
      agentDir,
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    })
    expect(store.usageStats?.['a:one']?.usageLimit).toEqual(usageLimit)
    expect(store.usageStats?.['a:two']).toEqual({ cooldownUntil: 1767225600000 })
    expect(diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.path}`)).toEqual([
      'ignored_field usageStats["a:two"].usageLimit',
    ])
  })

  it('tolerates a UTF-8 byte order mark', async () => {
    writeStore(`\ufeff${referenceStore}`)
    expect(Object.keys((await loadAuthProfileStore({ agentDir })).profiles)).toHaveLength(2)
  })

  it('serves warm reads from the cache until the file changes', async () => {
    writeStore(referenceStore)
    const backend = createFileAuthStore({ agentDir })
    const first = await backend.load()
    expect(await backend.load()).toBe(first)
    writeStore(referenceStore.replace('sk-openai-2', 'sk-openai-3'))
    const second = await backend.load()
    expect(second).not.toBe(first)
    expect(second.profiles['openai:work']).toMatchObject({ key: 'sk-openai-3' })
  })
})

describe('file store: bad input', () => {
  const canary = canarySecret()
  const cases: [string, string | Buffer, string][] = [
    ['empty', '', '(root)'],
    ['whitespace', '  \n', '(root)'],
    ['truncated', referenceStore.slice(0, 80), '(root)'],
    ['trailing garbage', `${referenceStore}}}`, '(root)'],
    ['top-level array', '[]', '(root)'],
    ['top-level null', 'null', '(root)'],
    ['top-level number', '42', '(root)'],
    ['profiles wrong type', '{"version":1,"profiles":[]}', 'profiles'],
    ['version garbage', '{"version":"x","profiles":{}}', 'version'],
    [
      'wrong-typed field',
      `{"version":1,"profiles":{"a:b":{"type":"oauth","provider":"a","access":"x","refresh":"y","expires":"${canary}"}}}`,
      'profiles["a:b"].expires',
    ],
    [
      'ref on oauth',
      '{"version":1,"profiles":{"a:b":{"type":"oauth","provider":"a","access":"","refresh":"","expires":1,"keyRef":{"source":"env","provider":"default","id":"X"}}}}',
      'profiles["a:b"].keyRef',
    ],
    [
      '__proto__ key',
      '{"version":1,"profiles":{"__proto__":{"type":"api_key","provider":"a","key":"k"}}}',
      'profiles.__proto__',
    ],
    ['invalid utf-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), '(root)'],
  ]

  it.each(cases)(
    '%s: typed error naming the file and JSON path, file unchanged, writes refused',
    async (_label, content, path) => {
      writeStore(typeof content === 'string' ? content.replace('sk-openai-2', canary) : content)
      const before = sha256(storePath)
      const error = await catchAuthError(() => loadAuthProfileStore({ agentDir }))
      expect(error.code).toBe('ERR_STORE_INVALID')
      expect(error.path).toBe(storePath)
      expect(error.message).toContain(storePath)
      expect(error.issues.map((issue) => issue.path)).toContain(path)
      expect(inspect(error, { depth: 10 })).not.toContain(canary)
      expect(inspect(error, { depth: 10 })).not.toContain('refresh-token')
      const writeError = await catchAuthError(() =>
        updateAuthProfileStore({ agentDir }, (store) => void (store.lastGood = {})),
      )
      expect(writeError.code).toBe('ERR_STORE_INVALID')
      expect(sha256(storePath)).toBe(before)
      expect(({} as Record<string, unknown>)['type']).toBeUndefined()
    },
  )

  it('reads a store from a newer format read-only and refuses to rewrite it', async () => {
    writeStore(referenceStore.replace('"version": 1', '"version": 99'))
    const before = sha256(storePath)
    const diagnostics: StoreDiagnostic[] = []
    const store = await loadAuthProfileStore({
      agentDir,
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    })
    expect(Object.keys(store.profiles)).toHaveLength(2)
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toContain('unsupported_version')
    const error = await catchAuthError(() =>
      updateAuthProfileStore({ agentDir }, (fresh) => void (fresh.lastGood = {})),
    )
    expect(error.code).toBe('ERR_STORE_UNSUPPORTED_VERSION')
    expect(sha256(storePath)).toBe(before)
  })

  it('refuses a directory, a FIFO and an oversize file quickly', async () => {
    mkdirSync(storePath, { recursive: true })
    expect((await catchAuthError(() => loadAuthProfileStore({ agentDir }))).code).toBe(
      'ERR_STORE_NOT_REGULAR_FILE',
    )
    rmSync(storePath, { recursive: true })
    execFileSync('mkfifo', [storePath])
    const started = performance.now()
    expect((await catchAuthError(() => loadAuthProfileStore({ agentDir }))).code).toBe(
      'ERR_STORE_NOT_REGULAR_FILE',
    )
    expect(performance.now() - started).toBeLessThan(1_000)
    rmSync(storePath)
    writeStore('{"version":1,"profiles":{}}')
    writeFileSync(storePath, `{"version":1,"profiles":{},"pad":"${'x'.repeat(2048)}"}`)
    const error = await catchAuthError(() => loadAuthProfileStore({ agentDir, maxBytes: 1024 }))
    expect(error.code).toBe('ERR_STORE_TOO_LARGE')
  })

  it('refuses a symlinked store by default and never writes through it', async () => {
    const sentinel = join(root, 'sentinel.json')
    writeFileSync(sentinel, referenceStore, { mode: 0o600 })
    mkdirSync(agentDir, { recursive: true })
    symlinkSync(sentinel, storePath)
    const error = await catchAuthError(() => loadAuthProfileStore({ agentDir }))
    expect(error.code).toBe('ERR_STORE_SYMLINK')
    expect(error.message).toContain('followSymlinks')
    await catchAuthError(() =>
      updateAuthProfileStore({ agentDir }, (store) => void (store.lastGood = {})),
    )
    expect(readFileSync(sentinel, 'utf8')).toBe(referenceStore)
    const followed = await loadAuthProfileStore({ agentDir, followSymlinks: true })
    expect(Object.keys(followed.profiles)).toHaveLength(2)
    rmSync(storePath)
    symlinkSync(storePath, storePath)
    expect((await catchAuthError(() => loadAuthProfileStore({ agentDir }))).code).toBe(
      'ERR_STORE_SYMLINK',
    )
  })

  it('rejects relative agent dirs and NUL bytes before touching the file system', async () => {
    expect(
      (await catchAuthError(() => loadAuthProfileStore({ agentDir: 'relative/dir' }))).code,
    ).toBe('ERR_INVALID_ARGUMENT')
    expect(
      (await catchAuthError(() => loadAuthProfileStore({ agentDir: `${agentDir}\u0000x` }))).code,
    ).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('file store: permissions', () => {
  it.each([0o000, 0o022, 0o077])(
    'creates 0700 dirs and 0600 files under umask %o',
    async (mask) => {
      const previous = process.umask(mask)
      try {
        await upsertAuthProfile({
          agentDir,
          profileId: 'openai:a',
          credential: apiKeyCredential('openai'),
        })
      } finally {
        process.umask(previous)
      }
      expect(statSync(storePath).mode & 0o777).toBe(0o600)
      for (const dir of [join(root, 'agents'), join(root, 'agents', 'main'), agentDir]) {
        expect(statSync(dir).mode & 0o777).toBe(0o700)
      }
      expect(readdirSync(agentDir).filter((name) => name.endsWith('.tmp'))).toEqual([])
      expect(existsSync(`${storePath}.lock`)).toBe(false)
    },
  )

  it('warns once about a store other users can read, and narrows it on the next write', async () => {
    writeStore(referenceStore)
    chmodSync(storePath, 0o644)
    const diagnostics: StoreDiagnostic[] = []
    const onDiagnostic = (diagnostic: StoreDiagnostic) => diagnostics.push(diagnostic)
    await loadAuthProfileStore({ agentDir, onDiagnostic })
    writeFileSync(storePath, referenceStore.replace('sk-openai-2', 'sk-openai-9'))
    await loadAuthProfileStore({ agentDir, onDiagnostic })
    const warnings = diagnostics.filter((diagnostic) => diagnostic.code === 'insecure_permissions')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain(`chmod 600 ${storePath}`)
    await updateAuthProfileStore({ agentDir }, (store) => void (store.lastGood = {}))
    expect(statSync(storePath).mode & 0o777).toBe(0o600)
  })
})

describe('file store: updates', () => {
  it('upserts with a rising generation and clears failure state when the secret changes', async () => {
    await upsertAuthProfile({
      agentDir,
      profileId: 'openai:a',
      credential: apiKeyCredential('openai', 'sk-one'),
    })
    await updateAuthProfileStore({ agentDir }, (store) => {
      store.usageStats = {
        'openai:a': {
          lastUsed: 5,
          errorCount: 3,
          cooldownUntil: 9,
          disabledUntil: 10,
          disabledReason: 'billing',
        },
      }
    })
    const store = await upsertAuthProfile({
      agentDir,
      profileId: 'openai:a',
      credential: apiKeyCredential('openai', 'sk-two'),
    })
    expect(store.profiles['openai:a']).toEqual({
      type: 'api_key',
      provider: 'openai',
      key: 'sk-two',
      generation: 2,
    })
    expect(store.usageStats?.['openai:a']).toEqual({ lastUsed: 5 })
  })

  it('validates ids and credentials before writing', async () => {
    expect(
      (
        await catchAuthError(() =>
          upsertAuthProfile({ agentDir, profileId: '../x', credential: apiKeyCredential('a') }),
        )
      ).code,
    ).toBe('ERR_INVALID_ID')
    const error = await catchAuthError(() =>
      upsertAuthProfile({
        agentDir,
        profileId: 'a:b',
        credential: { type: 'oauth', provider: 'a' } as never,
      }),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(error.issues.map((issue) => issue.path)).toContain('credential.access')
    expect(existsSync(storePath)).toBe(false)
  })

  it('removes a profile with its stats, order entries and lastGood', async () => {
    writeStore(referenceStore)
    expect(await removeAuthProfile({ agentDir, profileId: 'openai:work' })).toBe(true)
    expect(await removeAuthProfile({ agentDir, profileId: 'anthropic:me@example.com' })).toBe(true)
    expect(JSON.parse(readFileSync(storePath, 'utf8'))).toEqual({
      version: 1,
      profiles: {},
      lastGood: {},
      usageStats: {},
    })
    expect(await removeAuthProfile({ agentDir, profileId: 'openai:work' })).toBe(false)
  })

  it('writes nothing when the updater changes nothing', async () => {
    const result = await updateAuthProfileStore({ agentDir }, () => 'unchanged')
    expect(result).toMatchObject({ result: 'unchanged', written: false })
    expect(existsSync(storePath)).toBe(false)
  })

  it('sweeps orphaned temp files while holding the lock', async () => {
    writeStore(referenceStore)
    writeFileSync(join(agentDir, '.auth-profiles.json.12345.abcdef.tmp'), 'secret leftovers', {
      mode: 0o600,
    })
    await updateAuthProfileStore({ agentDir }, (store) => void (store.lastGood = {}))
    expect(readdirSync(agentDir).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('injected write errors leave the old file and no temp file, naming path and errno', async () => {
    writeStore(referenceStore)
    const before = sha256(storePath)
    const env = { CLAW_ENABLE_TEST_HOOKS: '1', CLAW_TEST_FAULTS: 'fs-error@write:ENOSPC' }
    const error = await catchAuthError(() =>
      updateAuthProfileStore({ agentDir, env }, (store) => void (store.lastGood = {})),
    )
    expect(error.code).toBe('ERR_STORE_WRITE')
    expect(error.message).toContain(storePath)
    expect(error.message).toContain('ENOSPC')
    expect(sha256(storePath)).toBe(before)
    expect(readdirSync(agentDir).filter((name) => name.endsWith('.tmp'))).toEqual([])
    // Without the enabling flag the hook does nothing.
    await updateAuthProfileStore(
      { agentDir, env: { CLAW_TEST_FAULTS: 'fs-error@write:ENOSPC' } },
      (store) => void (store.lastGood = {}),
    )
    expect(sha256(storePath)).not.toBe(before)
  })
})

describe('legacy imports', () => {
  it('migrates agent-dir auth.json on the first write, then removes it (idempotent)', async () => {
    mkdirSync(agentDir, { recursive: true })
    const legacy = join(agentDir, 'auth.json')
    writeFileSync(
      legacy,
      JSON.stringify({
        anthropic: { type: 'api_key', key: 'sk-ant-legacy', junk: 1 },
        openai: { type: 'bogus' },
      }),
    )
    const store = await loadAuthProfileStore({ agentDir })
    expect(store.profiles).toEqual({
      'anthropic:default': { type: 'api_key', provider: 'anthropic', key: 'sk-ant-legacy' },
    })
    expect(existsSync(legacy)).toBe(true)
    expect(existsSync(storePath)).toBe(false)
    expect(await migrateLegacyAuthStore({ agentDir })).toBe(true)
    expect(existsSync(legacy)).toBe(false)
    const written = JSON.parse(readFileSync(storePath, 'utf8')) as {
      profiles: Record<string, { key?: string }>
    }
    expect(written.profiles['anthropic:default']?.key).toBe('sk-ant-legacy')
    expect(await migrateLegacyAuthStore({ agentDir })).toBe(false)
  })

  it('imports credentials/oauth.json without overwriting and never deletes it', async () => {
    const credentials = join(root, 'credentials')
    mkdirSync(credentials, { recursive: true })
    const oauthPath = join(credentials, 'oauth.json')
    writeFileSync(
      oauthPath,
      JSON.stringify({
        'openai-codex': { access: 'a', refresh: 'r', expires: 5 },
        anthropic: { access: 'x', refresh: 'y', expires: 6 },
      }),
    )
    mkdirSync(agentDir, { recursive: true })
    writeFileSync(
      join(agentDir, 'auth.json'),
      JSON.stringify({ anthropic: { type: 'api_key', key: 'k' } }),
    )
    await migrateLegacyAuthStore({ agentDir })
    const store = await loadAuthProfileStore({ agentDir })
    expect(store.profiles['anthropic:default']).toMatchObject({ type: 'api_key' })
    expect(store.profiles['openai-codex:default']).toEqual({
      type: 'oauth',
      provider: 'openai-codex',
      access: 'a',
      refresh: 'r',
      expires: 5,
    })
    expect(existsSync(oauthPath)).toBe(true)
  })
})

describe('legacy files that are not regular files', () => {
  const dist = new URL('../../dist/index.js', import.meta.url).href
  /**
   * Loads the store in a child process: a hang or a runaway read there is killed, not inherited
   * by the suite.
   */
  const loadInChild = (dir: string, options: Record<string, unknown> = {}) =>
    runNodeScript(
      `const sdk = await import(${JSON.stringify(dist)})
try { await sdk.loadAuthProfileStore({ agentDir: ${JSON.stringify(dir)}, ...${JSON.stringify(options)} }); process.stdout.write('loaded') }
catch (error) { process.stdout.write(JSON.stringify({ code: error.code, message: error.message })) }`,
      { timeoutMs: 10_000 },
    )

  it.skipIf(process.platform === 'win32')('a FIFO auth.json fails at once, naming it', async () => {
    mkdirSync(agentDir, { recursive: true })
    const legacy = join(agentDir, 'auth.json')
    execFileSync('mkfifo', [legacy])
    const result = await loadInChild(agentDir)
    expect(result.timedOut).toBe(false)
    const { code, message } = JSON.parse(result.stdout) as { code: string; message: string }
    expect(code).toBe('ERR_STORE_NOT_REGULAR_FILE')
    expect(message).toContain(legacy)
  })

  it.skipIf(process.platform === 'win32')(
    'credentials/oauth.json linked to /dev/zero is refused without reading it',
    async () => {
      mkdirSync(join(root, 'credentials'), { recursive: true })
      const oauthPath = join(root, 'credentials', 'oauth.json')
      symlinkSync('/dev/zero', oauthPath)
      for (const [options, expected] of [
        [{}, 'ERR_STORE_SYMLINK'],
        [{ followSymlinks: true }, 'ERR_STORE_NOT_REGULAR_FILE'],
      ] as const) {
        const result = await loadInChild(agentDir, options)
        expect(result.timedOut).toBe(false)
        const { code, message } = JSON.parse(result.stdout) as { code: string; message: string }
        expect(code).toBe(expected)
        expect(message).toContain(oauthPath)
      }
    },
  )
})

describe('sub-agent read-through', () => {
  it('reads the main agent profiles through without copying them', async () => {
    const mainDir = agentDir
    const workDir = join(root, 'agents', 'work', 'agent')
    await upsertAuthProfile({
      agentDir: mainDir,
      profileId: 'anthropic:oauth',
      credential: oauthCredential('anthropic', 10),
    })
    await upsertAuthProfile({
      agentDir: workDir,
      profileId: 'openai:own',
      credential: apiKeyCredential('openai'),
    })
    const view = await loadAuthProfileStore({ agentDir: workDir })
    expect(Object.keys(view.profiles).sort()).toEqual(['anthropic:oauth', 'openai:own'])
    await updateAuthProfileStore({ agentDir: workDir }, (own) => {
      own.usageStats = { 'anthropic:oauth': { lastUsed: 1 } }
    })
    const ownFile = JSON.parse(readFileSync(join(workDir, 'auth-profiles.json'), 'utf8')) as {
      profiles: object
    }
    expect(Object.keys(ownFile.profiles)).toEqual(['openai:own'])
    expect(
      (await loadAuthProfileStore({ agentDir: workDir, mainAgentDir: null })).profiles[
        'anthropic:oauth'
      ],
    ).toBeUndefined()
  })
})

describe('memory store', () => {
  it('has the same interface and serialises updates', async () => {
    const backend = createMemoryAuthStore()
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        backend.update(async (store) => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          store.profiles[`p:${index}`] = apiKeyCredential('p')
        }),
      ),
    )
    expect(Object.keys((await backend.load()).profiles)).toHaveLength(20)
    const snapshot = backend.snapshot()
    snapshot.profiles['p:0'] = apiKeyCredential('changed')
    expect((await backend.load()).profiles['p:0']?.provider).toBe('p')
    await expect(backend.update(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await upsertAuthProfile({ backend, profileId: 'q:1', credential: apiKeyCredential('q') })
    expect(Object.keys((await loadAuthProfileStore({ backend })).profiles)).toHaveLength(21)
  })
})
