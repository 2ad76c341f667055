// `claw models status --probe`: progress on a terminal (and nothing extra when piped), and exit
// codes that tell the truth about failed probes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  apiKeyCredential,
  buildAuthProfileStore,
  canarySecret,
  tokenCredential,
} from '@claw/auth-profiles/testing'
import { behave } from '@claw/failover/testing'
import { useProviderServer } from '../../../../test-support/provider-server.ts'
import { ClawSandbox } from '../../test/helpers/claw.ts'
import { runClawOnTty } from '../../test/helpers/tty.ts'

let sandbox: ClawSandbox
const server = useProviderServer()
beforeEach(() => {
  sandbox = new ClawSandbox()
})
afterEach(() => sandbox.dispose())

function twoOpenAiKeys(limited: boolean): string[] {
  const good = canarySecret('sk-proj-')
  const other = canarySecret('sk-proj-')
  server.setBehaviour(good, behave.ok())
  server.setBehaviour(other, limited ? behave.rateLimit() : behave.ok())
  sandbox.writeConfig({
    agents: { defaults: { model: 'openai/gpt-4o' } },
    models: { providers: { openai: { baseUrl: `${server.url}/v1` } } },
  })
  sandbox.writeStore(
    buildAuthProfileStore({
      profiles: {
        'openai:good': apiKeyCredential('openai', good),
        'openai:other': apiKeyCredential('openai', other),
      },
    }),
  )
  return [good, other]
}

describe('exit codes', () => {
  it('exits 0 when every probe passes and 3 when one fails, also without --check', async () => {
    twoOpenAiKeys(false)
    expect((await sandbox.run(['models', 'status', '--probe', '--json'])).code).toBe(0)
    sandbox.dispose()
    sandbox = new ClawSandbox()
    const secrets = twoOpenAiKeys(true)
    const failed = await sandbox.run(['models', 'status', '--probe', '--json'])
    expect(failed.code).toBe(3)
    // Piped: no progress, nothing on stderr.
    expect(failed.stderr).toBe('')
    expect(sandbox.leaks(secrets)).toEqual([])
  })

  it('--check: a missing or expired credential (1) wins over a failed probe (3)', async () => {
    const secrets = twoOpenAiKeys(true)
    expect((await sandbox.run(['models', 'status', '--probe', '--check', '--json'])).code).toBe(3)
    sandbox.writeStore(
      buildAuthProfileStore({
        profiles: {
          'openai:good': apiKeyCredential('openai', secrets[0]),
          'openai:old': tokenCredential('openai', canarySecret(), { expires: Date.now() - 1000 }),
        },
      }),
    )
    expect((await sandbox.run(['models', 'status', '--probe', '--check', '--json'])).code).toBe(1)
  })
})

describe('progress', () => {
  it('shows one status line per finished probe on a terminal', async () => {
    const secrets = twoOpenAiKeys(true)
    const result = await runClawOnTty(['models', 'status', '--probe'], sandbox.baseEnv())
    expect(result.code).toBe(3)
    expect(result.output).toContain('Probing credentials…')
    expect(result.output).toMatch(/Probed 1\/2: openai:(good|other) (ok|rate_limit)/)
    expect(result.output).toMatch(/Probed 2\/2: openai:(good|other) (ok|rate_limit)/)
    // The line is cleared before the report is printed.
    expect(result.output).toContain('\r\u001b[K')
    expect(result.output).toContain('Auth probes')
    for (const secret of secrets) expect(result.output).not.toContain(secret)
  })
})
