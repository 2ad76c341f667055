// What a person pastes when the browser cannot reach the loopback callback (a remote shell, a
// blocked port): the redirect URL or code in its accepted forms, and the race between the
// callback and the paste prompt.
import { AuthProfilesError } from '../errors.js'
import {
  parseRedirectUri,
  stateMismatchError,
  withQuery,
  type LoopbackCallback,
} from './loopback.js'

/** How many times an unrecognisable paste is asked for before the login fails. @public */
export const DEFAULT_MAX_PASTE_ATTEMPTS = 3

const schemePattern = /^[a-z][a-z0-9+.-]*:\/\//i
const bareCodePattern = /^[A-Za-z0-9._~+/=-]+$/

function hasAuthorizationResponse(params: URLSearchParams): boolean {
  return Boolean(params.get('code') || params.get('error'))
}

/** @public */
export interface ParseRedirectInputOptions {
  /** The registered redirect URI the result is built from. */
  readonly redirectUri: string
}

/**
 * Turns what a person pasted into a callback URL built from the **registered** redirect URI, so
 * the `redirect_uri` sent to the token endpoint matches the authorization request whatever was
 * pasted. Accepted forms:
 *
 * - a full redirect URL, on any host and port (only its query, or else its fragment, is used);
 * - `code#state` (what some providers display on their own callback page);
 * - a query string `code=…&state=…` (optionally starting with `?` or `#`);
 * - a bare authorization code (no `state`: the caller supplies the expected one).
 *
 * Returns `undefined` for anything else (empty input, text with spaces, a URL without `code` or
 * `error`).
 *
 * @throws {AuthProfilesError} `ERR_INVALID_ARGUMENT` for an invalid registered redirect URI.
 * @public
 */
export function parseRedirectInput(
  raw: string,
  options: ParseRedirectInputOptions,
): URL | undefined {
  const registered = parseRedirectUri(options.redirectUri)
  const input = raw.trim()
  if (input === '' || /\s/.test(input)) return undefined

  if (schemePattern.test(input)) {
    let pasted: URL
    try {
      pasted = new URL(input)
    } catch {
      return undefined
    }
    if (hasAuthorizationResponse(pasted.searchParams))
      return withQuery(registered, pasted.searchParams)
    const fragment = new URLSearchParams(pasted.hash.slice(1))
    return hasAuthorizationResponse(fragment) ? withQuery(registered, fragment) : undefined
  }

  if (input.includes('=')) {
    const params = new URLSearchParams(input.replace(/^[?#]/, ''))
    return hasAuthorizationResponse(params) ? withQuery(registered, params) : undefined
  }

  const hash = input.indexOf('#')
  if (hash !== -1) {
    const code = input.slice(0, hash)
    const state = input.slice(hash + 1)
    if (!bareCodePattern.test(code) || state === '' || state.includes('#')) return undefined
    return withQuery(registered, new URLSearchParams({ code, state }))
  }

  return bareCodePattern.test(input)
    ? withQuery(registered, new URLSearchParams({ code: input }))
    : undefined
}

/** What the paste prompt receives: the message to show and a signal that fires when not needed. @public */
export interface RedirectPromptInfo {
  readonly message: string
  /** Aborted when the loopback callback won the race (dismiss the prompt). */
  readonly signal: AbortSignal
}

/** @public */
export interface RaceCallbackAndPasteOptions {
  /** The loopback callback (listening or not); it also owns the timeout and the abort signal. */
  readonly callback: LoopbackCallback
  readonly redirectUri: string
  readonly expectedState: string
  /**
   * Asks for the redirect URL. An empty answer while the loopback server is listening means "keep
   * waiting for the browser". Omit it to rely on the callback alone.
   */
  readonly promptForRedirect?: ((info: RedirectPromptInfo) => Promise<string>) | undefined
  /** Unrecognisable pastes accepted before failing; default {@link DEFAULT_MAX_PASTE_ATTEMPTS}. */
  readonly maxPasteAttempts?: number
}

const never = new Promise<never>(() => undefined)

async function pasteLoop(
  options: RaceCallbackAndPasteOptions,
  prompt: (info: RedirectPromptInfo) => Promise<string>,
  signal: AbortSignal,
): Promise<URL> {
  const maxAttempts = Math.max(1, options.maxPasteAttempts ?? DEFAULT_MAX_PASTE_ATTEMPTS)
  const listening = options.callback.listening
  let message = listening
    ? 'If the browser could not reach the callback, paste the URL it was redirected to (or the code) here:'
    : 'Paste the URL your browser was redirected to (or the code) here:'
  for (let attempt = 1; ; attempt++) {
    let answer: string
    try {
      answer = await prompt({ message, signal })
    } catch (error) {
      if (signal.aborted) return never
      if (AuthProfilesError.isInstance(error)) throw error
      throw new AuthProfilesError(
        'ERR_ABORTED',
        'The OAuth login was cancelled at the redirect prompt.',
      )
    }
    if (signal.aborted) return never
    if (answer.trim() === '' && listening) return never
    const url = parseRedirectInput(answer, { redirectUri: options.redirectUri })
    if (url) {
      const state = url.searchParams.get('state')
      if (state === null) url.searchParams.set('state', options.expectedState)
      else if (state !== options.expectedState) throw stateMismatchError()
      return url
    }
    if (attempt >= maxAttempts) {
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `OAuth login failed: no redirect URL or authorization code was recognised after ${maxAttempts} attempts.`,
      )
    }
    message = `That did not look like a redirect URL or an authorization code (attempt ${attempt + 1} of ${maxAttempts}). Paste the full URL from the browser's address bar:`
  }
}

/**
 * Waits for the authorization response from whichever source delivers first: the loopback
 * callback or a pasted redirect URL (see {@link parseRedirectInput}). The loser is cancelled: the
 * prompt's signal is aborted, and the loopback server is always closed before this settles. A
 * paste with a different `state` fails the login; a paste without one gets the expected state.
 *
 * @throws {AuthProfilesError} `ERR_OAUTH` (state mismatch, timeout, no recognisable paste, or no
 *   way to receive the redirect), `ERR_ABORTED`.
 * @public
 */
export async function raceCallbackAndPaste(options: RaceCallbackAndPasteOptions): Promise<URL> {
  const { callback, promptForRedirect } = options
  const cancelPrompt = new AbortController()
  try {
    if (!callback.listening && !promptForRedirect) {
      throw new AuthProfilesError(
        'ERR_OAUTH',
        `OAuth login cannot receive the redirect: ${callback.reason ?? 'the loopback server is not listening'} and no promptForRedirect callback was given.`,
      )
    }
    const pasted = promptForRedirect
      ? pasteLoop(options, promptForRedirect, cancelPrompt.signal)
      : never
    return await Promise.race([callback.result, pasted])
  } finally {
    cancelPrompt.abort()
    await callback.close()
  }
}
