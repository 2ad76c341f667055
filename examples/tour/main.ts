// The claw tour: the whole product, offline, in one run (`pnpm demo`).
//
//  1. A temporary state dir (CLAW_STATE_DIR) with a claw.json and three stored credentials: two
//     API keys for openai (`openai:work`, `openai:personal`) and an OAuth login for a custom
//     provider `acme` whose access token is about to expire. Both providers are a fake server on
//     127.0.0.1, so no real keys are needed.
//  2. Requests through runWithFailover while openai:work is rate-limited (429, Retry-After: 45):
//     the first request rotates to openai:personal, the next ones skip the cooling key.
//  3. openai:personal runs out of credit (402): openai is exhausted, so the request falls back to
//     acme/acme-large, whose OAuth token is refreshed on the way.
//  4. The decision traces, then `claw models status` and `claw route gpt` on the same state dir.
//  5. The OpenTelemetry spans and metrics of those requests (`@claw/failover/telemetry`, an SDK
//     with in-memory exporters; telemetry.ts), as a backend would receive them.
//
//   pnpm demo                 (from the repository root, after `pnpm build`)
//   pnpm --filter @claw-examples/tour start -- --keep   keeps the state dir to explore with `claw`
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createOAuthProvidersFromConfig,
  openAuthStore,
  resolveAgentDir,
  upsertAuthProfile,
  type ClawConfig,
} from '@claw/auth-profiles'
import { runWithFailover, type FailoverCallContext, type FailoverTraceEntry } from '@claw/failover'
import { startFakeProvider, type FakeProvider } from './fake-provider.ts'
import { startTourTelemetry } from './telemetry.ts'

const keep = process.argv.includes('--keep')
const stateDir = mkdtempSync(join(tmpdir(), 'claw-tour-'))
const agentDir = resolveAgentDir('main', { stateDir })
const fake = await startFakeProvider()
const otel = startTourTelemetry()
const { telemetry } = otel
const section = (title: string): void =>
  console.log(`\n━━ ${title} ${'━'.repeat(Math.max(0, 72 - title.length))}`)

/** An HTTP error failover can classify (status, headers for Retry-After, body). */
class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly headers: Headers,
    body: string,
  ) {
    super(`HTTP ${status}: ${body}`)
  }
}

/** The host app's model call: a plain fetch to an OpenAI-compatible endpoint. */
async function chat({ baseUrl, apiKey, model, signal }: FailoverCallContext): Promise<string> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }] }),
    signal: signal ?? null,
  })
  const text = await response.text()
  if (!response.ok) throw new HttpError(response.status, response.headers, text)
  return (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]!.message
    .content
}

function printTrace(trace: readonly FailoverTraceEntry[]): void {
  for (const entry of trace) {
    const credential = entry.credential ?? entry.profileId ?? ''
    const reason = entry.reason && entry.outcome !== 'succeeded' ? ` [${entry.reason}]` : ''
    console.log(
      `    ${entry.outcome.padEnd(9)} ${`${entry.provider}/${entry.model}`.padEnd(16)} ${credential.padEnd(24)} ${entry.detail}${reason}`,
    )
  }
}

async function setUp(provider: FakeProvider): Promise<ClawConfig> {
  const config = {
    agents: {
      defaults: {
        model: { primary: 'openai/gpt-5.2', fallbacks: ['acme/acme-large'] },
        models: { 'openai/gpt-5.2': { alias: 'gpt' }, 'acme/acme-large': { alias: 'acme' } },
      },
    },
    models: {
      providers: {
        openai: { baseUrl: `${provider.baseUrl}/v1` },
        acme: {
          baseUrl: `${provider.baseUrl}/v1`,
          api: 'openai-completions',
          models: [
            { id: 'acme-large', name: 'Acme Large', contextWindow: 200000, maxTokens: 8192 },
          ],
        },
      },
    },
    auth: {
      // acme's OAuth endpoints: a generic OpenID Connect provider declared in config. Plain http
      // is accepted for loopback hosts only.
      oauth: {
        acme: {
          issuer: provider.baseUrl,
          tokenEndpoint: `${provider.baseUrl}/oauth/token`,
          clientId: 'claw-tour',
          redirectUri: 'http://127.0.0.1:1455/callback',
          scopes: ['openid', 'offline_access'],
        },
      },
      profiles: {
        'openai:work': { provider: 'openai', mode: 'api_key' },
        'openai:personal': { provider: 'openai', mode: 'api_key' },
        'acme:me': { provider: 'acme', mode: 'oauth', email: 'me@acme.example' },
      },
    },
  }
  writeFileSync(join(stateDir, 'claw.json'), `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  })
  const work = 'sk-demo-work-7f3a9c2e41d05b68'
  const personal = 'sk-demo-personal-0b8e6d4f2a1c93'
  provider.keys.set(work, 'rate_limited')
  provider.keys.set(personal, 'ok')
  const credentials = [
    ['openai:work', { type: 'api_key', provider: 'openai', key: work }],
    ['openai:personal', { type: 'api_key', provider: 'openai', key: personal }],
    [
      'acme:me',
      {
        type: 'oauth',
        provider: 'acme',
        access: 'demo-oauth-access-0-expiring',
        refresh: 'demo-oauth-refresh-0',
        expires: Date.now() + 60_000,
        email: 'me@acme.example',
      },
    ],
  ] as const
  for (const [profileId, credential] of credentials) {
    await upsertAuthProfile({ agentDir, profileId, credential })
  }
  return config as ClawConfig
}

/** `claw <args>` from the built CLI, on the demo's state dir, output straight to the terminal. */
function claw(...args: string[]): void {
  const bin = join(
    dirname(fileURLToPath(import.meta.resolve('@claw/cli/package.json'))),
    'dist/bin.js',
  )
  console.log(`\n$ claw ${args.join(' ')}`)
  spawnSync(process.execPath, [bin, ...args], {
    stdio: 'inherit',
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      CLAW_STATE_DIR: stateDir,
      NO_COLOR: process.env['NO_COLOR'],
    },
  })
}

try {
  section('1. State')
  const config = await setUp(fake)
  console.log(`  state dir   ${stateDir}`)
  console.log(`  provider    fake OpenAI-compatible server at ${fake.baseUrl} (openai and acme)`)
  console.log(
    '  profiles    openai:work (API key, rate-limited), openai:personal (API key), acme:me (OAuth, expires in 60 s)',
  )

  // Refreshes use the OAuth providers from config (auth.oauth).
  const oauth = createOAuthProvidersFromConfig({ config })
  const store = openAuthStore({ agentDir })
  // Gauges over the store (expiring credentials, re-auth needed, disabled), read at collection.
  telemetry.observeCredentials({ store, agentId: 'main' })
  const request = (label: string) =>
    runWithFailover({ config, store, env: {}, oauth, telemetry, run: chat }).then((outcome) => {
      console.log(
        `  ${label}  ${outcome.result.padEnd(26)} via ${outcome.provider}/${outcome.model} with ${outcome.profileId}` +
          (outcome.attempts.length
            ? ` after ${outcome.attempts.map((a) => `${a.profileId ?? `${a.provider} (no usable profile)`} → ${a.reason}`).join(', ')}`
            : ''),
      )
      return outcome
    })

  section('2. openai:work is rate-limited (429, Retry-After: 45)')
  const first = await request('request 1')
  await request('request 2')
  await request('request 3')
  console.log('\n  trace of request 1:')
  printTrace(first.trace)

  section('3. openai:personal runs out of credit (402)')
  fake.keys.set('sk-demo-personal-0b8e6d4f2a1c93', 'out_of_credit')
  const fallback = await request('request 4')
  await request('request 5')
  console.log(`\n  OAuth refreshes at the token endpoint: ${fake.refreshes}`)
  console.log('\n  trace of request 4:')
  printTrace(fallback.trace)

  section('4. What the operator sees')
  claw('models', 'status')
  claw('route', 'gpt')

  section('5. Telemetry: what an OpenTelemetry backend receives')
  await otel.print()
} finally {
  await otel.shutdown()
  await fake.close()
  if (keep)
    console.log(`\nState kept in ${stateDir} — try: CLAW_STATE_DIR=${stateDir} claw models status`)
  else rmSync(stateDir, { recursive: true, force: true })
}
