// `claw models auth login` and `login-github-copilot` end to end: the CLI as a child process
// against a real OpenID Connect provider (oidc-provider) and a scripted GitHub device-flow server
// on loopback, pointed at them through config `auth.oauth.<provider>`.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canarySecret } from '@claw/auth-profiles/testing'
import {
  OIDC_TEST_ACCOUNT,
  startOidcServer,
  type OidcServer,
} from '../../../auth-profiles/test/fixtures/oidc-server.ts'
import { browse, freePort } from '../../../auth-profiles/test/helpers/browser.ts'
import { CLAW_BIN, ClawSandbox, type ClawResult } from '../../test/helpers/claw.ts'

let sandbox: ClawSandbox
const cleanups: (() => Promise<unknown> | void)[] = []
beforeEach(() => {
  sandbox = new ClawSandbox('claw-login-')
  cleanups.push(() => sandbox.dispose())
})
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** A running `claw` whose output can be awaited piece by piece and whose stdin stays open. */
interface LiveClaw {
  /** Resolves with stderr so far once it matches. */
  waitForStderr(pattern: RegExp): Promise<string>
  write(text: string): void
  end(): void
  done: Promise<ClawResult>
}

function startClaw(args: readonly string[]): LiveClaw {
  const child = spawn(process.execPath, [CLAW_BIN, ...args], {
    env: sandbox.baseEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = []
  const check = (): void => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(stderr)
      }
    }
  }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    check()
  })
  const done = new Promise<ClawResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`claw ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`))
    }, 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      sandbox.outputs.push(`$ claw ${args.join(' ')}\n${stdout}\n${stderr}`)
      resolve({ code, stdout, stderr })
    })
  })
  return {
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve })
        check()
        void done.then((result) =>
          reject(
            new Error(`exited before ${String(pattern)}:\n${result.stdout}\n${result.stderr}`),
          ),
        )
      }),
    write: (text) => void child.stdin.write(text),
    end: () => void child.stdin.end(),
    done,
  }
}

async function oidcSetup(): Promise<{ server: OidcServer; port: number }> {
  const server = await startOidcServer()
  cleanups.push(() => server.close())
  const port = await freePort()
  sandbox.writeConfig({
    auth: {
      oauth: {
        'test-oidc': {
          issuer: server.issuer,
          clientId: server.clientId,
          redirectUri: `http://127.0.0.1:${port}/callback`,
          displayName: 'Test OIDC',
        },
      },
    },
  })
  return { server, port }
}

function storedOAuth(profileId: string): { access: string; refresh: string } {
  const store = JSON.parse(
    readFileSync(join(sandbox.agentDir(), 'auth-profiles.json'), 'utf8'),
  ) as { profiles: Record<string, { access: string; refresh: string }> }
  return store.profiles[profileId]!
}

const URL_LINE = /\n {2}(https?:\/\/\S+)\n/

describe('models auth login (authorization code)', () => {
  it('completes headless with the redirect URL pasted on stdin', async () => {
    const { port } = await oidcSetup()
    const claw = startClaw([
      'models',
      'auth',
      'login',
      '--provider',
      'test-oidc',
      '--method',
      'paste',
    ])
    const shown = await claw.waitForStderr(/paste the URL.*\n/i)
    const url = URL_LINE.exec(shown)![1]!
    expect(shown).toContain('To log in to Test OIDC, open this URL in a browser:')
    // The "browser" runs elsewhere: it ends on the redirect, which nobody serves there.
    const page = await browse(url, {
      stopAt: (visited) => visited.startsWith(`http://127.0.0.1:${port}/callback`),
    })
    expect(page.status).toBe(0)
    claw.write(`${page.url}\n`)
    claw.end()
    const result = await claw.done
    const profileId = `test-oidc:${OIDC_TEST_ACCOUNT}`
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        `Auth profile: ${profileId} (test-oidc/oauth)`,
        `Updated ${join(sandbox.stateDir, 'claw.json')}`,
        `Logged in as ${OIDC_TEST_ACCOUNT}.`,
        '',
      ].join('\n'),
    )
    const config = JSON.parse(readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')) as {
      auth: { profiles: unknown }
    }
    expect(config.auth.profiles).toEqual({
      [profileId]: { provider: 'test-oidc', mode: 'oauth', email: OIDC_TEST_ACCOUNT },
    })
    const stored = storedOAuth(profileId)
    expect(stored.access.length).toBeGreaterThan(20)
    expect(sandbox.leaks([stored.access, stored.refresh])).toEqual([])

    const list = await sandbox.run(['models', 'auth', 'list', '--plain'])
    expect(list.stdout).toBe(`${profileId}\n`)
  })

  it('completes through the loopback callback, and logout --revoke revokes the token', async () => {
    await oidcSetup()
    const claw = startClaw([
      'models',
      'auth',
      'login',
      '--provider',
      'test-oidc',
      '--profile-id',
      'test-oidc:work',
    ])
    claw.end()
    const shown = await claw.waitForStderr(URL_LINE)
    const page = await browse(URL_LINE.exec(shown)![1]!)
    expect(page.body).toContain('Login complete')
    const result = await claw.done
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Auth profile: test-oidc:work (test-oidc/oauth)\n')
    const stored = storedOAuth('test-oidc:work')

    // logout --revoke revokes the token at the provider, then removes the profile.
    const logout = await sandbox.run([
      'models',
      'auth',
      'logout',
      'test-oidc:work',
      '--revoke',
      '--json',
    ])
    expect(JSON.parse(logout.stdout)).toEqual({
      schemaVersion: 1,
      profileId: 'test-oidc:work',
      removed: true,
      revoked: true,
      configUpdated: true,
    })
    expect(sandbox.leaks([stored.access, stored.refresh])).toEqual([])
  })

  it('fails clearly when stdin ends without a redirect and nothing can call back', async () => {
    const { port } = await oidcSetup()
    // Occupy the callback port so the loopback server cannot listen.
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const result = await sandbox.run(['models', 'auth', 'login', '--provider', 'test-oidc'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `Cannot listen for the browser redirect (port ${port} is in use).`,
    )
    expect(result.stderr).toMatch(
      /No redirect URL on stdin: pipe the URL your browser was redirected to \(or the code\), or run the login in a terminal\.\n$/,
    )
  })

  it('rejects unknown providers, wrong methods and bad auth.oauth config', async () => {
    const unknown = await sandbox.run(['models', 'auth', 'login', '--provider', 'nope'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(
      'No OAuth login for provider "nope". OAuth providers: anthropic, chutes, github-copilot, google-gemini-cli, openai-codex, qwen-portal. For API keys use `claw models auth paste-api-key --provider <id>`.\n',
    )
    const method = await sandbox.run([
      'models',
      'auth',
      'login',
      '--provider',
      'openai-codex',
      '--method',
      'device',
    ])
    expect(method.stderr).toBe(
      'OpenAI Codex (ChatGPT) has no device flow: use --method browser or --method paste.\n',
    )
    const badMethod = await sandbox.run([
      'models',
      'auth',
      'login',
      '--provider',
      'openai-codex',
      '--method',
      'fax',
    ])
    expect(badMethod.stderr).toBe('Invalid --method "fax": use browser, paste or device.\n')
    const missing = await sandbox.run(['models', 'auth', 'login'])
    expect(missing.stderr).toMatch(/^Missing --provider <id>\. OAuth providers: anthropic, /)

    const configPath = sandbox.writeConfig({
      auth: { oauth: { 'openai-codex': { tokenEndpoint: 'http://proxy.example.com/token' } } },
    })
    const insecure = await sandbox.run(['models', 'auth', 'login', '--provider', 'openai-codex'])
    expect(insecure.code).toBe(78)
    expect(insecure.stderr).toBe(
      `Invalid config at ${configPath}\n- auth.oauth["openai-codex"].tokenEndpoint: must be https (plain http only on a loopback host)\n`,
    )
  })
})

describe('models auth login-github-copilot (device flow)', () => {
  async function deviceServer(token: string): Promise<string> {
    const server: Server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        response.setHeader('content-type', 'application/json')
        if (request.url === '/login/device/code') {
          response.end(
            JSON.stringify({
              device_code: 'dev-code-1',
              user_code: 'WDJB-MJHT',
              verification_uri: 'https://github.com/login/device',
              expires_in: 900,
              interval: 1,
            }),
          )
          return
        }
        const form = new URLSearchParams(body)
        if (
          request.url === '/login/oauth/access_token' &&
          form.get('device_code') === 'dev-code-1'
        ) {
          response.end(
            JSON.stringify({ access_token: token, token_type: 'bearer', scope: 'read:user' }),
          )
          return
        }
        response.statusCode = 404
        response.end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('shows the code, waits for approval and stores github-copilot:github', async () => {
    const token = canarySecret('gho_')
    const url = await deviceServer(token)
    sandbox.writeConfig({
      auth: {
        oauth: {
          'github-copilot': {
            deviceAuthorizationEndpoint: `${url}/login/device/code`,
            tokenEndpoint: `${url}/login/oauth/access_token`,
          },
        },
      },
    })
    const result = await sandbox.run(['models', 'auth', 'login-github-copilot'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(
      'To log in to GitHub Copilot, open https://github.com/login/device and enter the code:\n\n  WDJB-MJHT\n',
    )
    expect(result.stdout).toBe(
      `Auth profile: github-copilot:github (github-copilot/oauth)\nUpdated ${join(sandbox.stateDir, 'claw.json')}\n`,
    )
    expect(storedOAuth('github-copilot:github').access).toBe(token)
    expect(sandbox.leaks([token])).toEqual([])
  })
})
