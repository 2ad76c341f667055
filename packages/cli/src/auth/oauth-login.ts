// Running an OAuth login from the terminal: the adapters come from the library (with config
// overrides, `auth.oauth.<provider>`), this module talks to the person — the authorization URL or
// the device code on stderr, a spinner while waiting, and the pasted redirect URL from a prompt or,
// headless, from stdin.
import {
  AuthProfilesError,
  type AuthUrlInfo,
  type DeviceCodeInfo,
  type LoginWithOAuthResult,
  type OAuthProviderAdapter,
} from '@claw/auth-profiles'
import { loginWithOAuth } from '@claw/auth-profiles/oauth'
import { normalizeProviderId } from '@claw/model-catalog'
import type { Context } from '../context.js'
import { usageError } from '../errors.js'
import { safe } from '../text.js'
import { openBrowser } from './browser.js'
import { configuredOAuthProviders } from './oauth-settings.js'
import { createSpinner } from './spinner.js'
import { createLineReader } from './stdin-lines.js'

/** How the person completes the login. */
export type LoginMethod = 'browser' | 'paste' | 'device'

export const LOGIN_METHODS: readonly LoginMethod[] = ['browser', 'paste', 'device']

export interface RunOAuthLoginOptions {
  readonly provider: string
  readonly method?: LoginMethod | undefined
  readonly profileId?: string | undefined
  readonly timeoutMs?: number | undefined
  /** `github-copilot`: a GitHub Enterprise host. */
  readonly githubHost?: string | undefined
}

/** Parses `--method` (`device-code` is the upstream spelling of `device`). */
export function parseLoginMethod(raw: string | undefined): LoginMethod | undefined {
  if (raw === undefined) return undefined
  const value = raw.trim().toLowerCase()
  if (value === 'device-code') return 'device'
  if ((LOGIN_METHODS as readonly string[]).includes(value)) return value as LoginMethod
  throw usageError(`Invalid --method "${safe(raw)}": use browser, paste or device.`)
}

function knownProviders(adapters: readonly OAuthProviderAdapter[]): string {
  return adapters
    .filter((adapter) => adapter.flow !== 'setup_token')
    .map((adapter) => adapter.id)
    .sort()
    .join(', ')
}

/** The adapter for `provider`, or a usage error listing the OAuth providers. */
export function requireOAuthAdapter(
  adapters: readonly OAuthProviderAdapter[],
  get: (provider: string) => OAuthProviderAdapter | undefined,
  provider: string,
): OAuthProviderAdapter {
  const adapter = get(normalizeProviderId(provider))
  if (adapter && adapter.flow !== 'setup_token') return adapter
  throw usageError(
    `No OAuth login for provider "${safe(provider)}". OAuth providers: ${knownProviders(adapters)}. For API keys use \`claw models auth paste-api-key --provider <id>\`.`,
  )
}

function checkMethod(adapter: OAuthProviderAdapter, method: LoginMethod | undefined): void {
  if (method === undefined) return
  const name = adapter.displayName
  if (adapter.flow === 'device_code' && method !== 'device') {
    throw usageError(
      `${name} logs in with the device flow: use --method device (or omit --method).`,
    )
  }
  if (adapter.flow === 'authorization_code' && method === 'device') {
    throw usageError(`${name} has no device flow: use --method browser or --method paste.`)
  }
}

function minutesUntil(expiresAt: number, now: number): string {
  const minutes = Math.max(1, Math.round((expiresAt - now) / 60_000))
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

/**
 * Runs `loginWithOAuth` for a provider against the selected agent's store, reaching the person
 * on stderr. Headless (stdin not a terminal): the URL is printed and a pasted redirect URL is read
 * from stdin; when stdin ends and the loopback callback is listening, the login keeps waiting for
 * the browser until the timeout.
 */
export async function runOAuthLogin(
  context: Context,
  options: RunOAuthLoginOptions,
): Promise<LoginWithOAuthResult> {
  const config = await context.config()
  const { providers, allowInsecureRequests } = configuredOAuthProviders(config, options.githubHost)
  const adapter = requireOAuthAdapter(providers.list(), (id) => providers.get(id), options.provider)
  checkMethod(adapter, options.method)
  const target = await context.storeTarget()
  const { io } = context
  const spinner = createSpinner(io)
  const lines = createLineReader(io)
  const method = options.method ?? (adapter.flow === 'device_code' ? 'device' : 'browser')
  let listening = false
  const write = (text: string): void => void io.stderr.write(`${text}\n`)

  const onAuthUrl = (info: AuthUrlInfo): void => {
    spinner.stop()
    listening = info.listening
    const opened = method === 'browser' && openBrowser(info.url, context.env)
    write('')
    write(
      opened
        ? `Opening your browser to log in to ${adapter.displayName}. If it does not open, visit:`
        : `To log in to ${adapter.displayName}, open this URL in a browser:`,
    )
    write('')
    write(`  ${safe(info.url)}`)
    write('')
    write(safe(info.instructions))
  }

  const onDeviceCode = (info: DeviceCodeInfo): void => {
    spinner.stop()
    write('')
    write(
      `To log in to ${adapter.displayName}, open ${safe(info.verificationUri)} and enter the code:`,
    )
    write('')
    write(`  ${safe(info.userCode)}`)
    write('')
    if (info.verificationUriComplete) {
      write(`(Or open ${safe(info.verificationUriComplete)} directly.)`)
    }
    write(`The code expires in ${minutesUntil(info.expiresAt, context.now())}.`)
    spinner.update('Waiting for you to approve the login…')
  }

  const promptForRedirect = async (info: {
    readonly message: string
    readonly signal?: AbortSignal
  }): Promise<string> => {
    spinner.stop()
    if (io.stdin.isTTY) {
      const { createInterface } = await import('node:readline/promises')
      const rl = createInterface({
        input: io.stdin,
        output: io.stderr as NodeJS.WritableStream,
        terminal: true,
      })
      try {
        return await rl.question(`${info.message}\n> `, info.signal ? { signal: info.signal } : {})
      } finally {
        rl.close()
      }
    }
    write(info.message)
    const line = await lines.next()
    if (line !== undefined) return line
    if (listening) return new Promise<string>(() => undefined)
    throw new AuthProfilesError(
      'ERR_OAUTH',
      'No redirect URL on stdin: pipe the URL your browser was redirected to (or the code), or run the login in a terminal.',
    )
  }

  try {
    return await loginWithOAuth({
      provider: adapter.id,
      ...target,
      env: context.env,
      now: context.now,
      fetch: context.io.fetch,
      providers,
      allowInsecureRequests,
      ...(options.profileId === undefined ? {} : { profileId: options.profileId }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      onAuthUrl,
      onDeviceCode,
      promptForRedirect,
      onProgress: (message) => spinner.update(message),
    })
  } finally {
    spinner.stop()
    lines.close()
  }
}
