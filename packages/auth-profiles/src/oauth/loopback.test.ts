// Over 400 lines: the loopback redirect server: one case per request it must accept or refuse.
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { catchAuthError } from '../../test/helpers/errors.js'
import { freePort } from '../../test/helpers/browser.js'
import { startLoopbackCallback, type LoopbackCallback } from './loopback.js'
import {
  parseRedirectInput,
  raceCallbackAndPaste,
  type RedirectPromptInfo,
} from './redirect-paste.js'

const STATE = 'state-0123456789abcdef'
const cleanups: (() => Promise<unknown>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function occupy(port: number): Promise<Server> {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => blocker.close(resolve)))
  return blocker
}

async function start(
  redirectUri: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<LoopbackCallback> {
  const callback = await startLoopbackCallback({ redirectUri, expectedState: STATE, ...options })
  cleanups.push(() => callback.close())
  return callback
}

/** Resolves when nothing accepts connections on the port any more. */
async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer()
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

describe('parseRedirectInput', () => {
  const redirectUri = 'http://localhost:1455/auth/callback'
  const cases: [string, string, Record<string, string> | undefined][] = [
    [
      'full URL on another host and port',
      'https://example.com:9999/elsewhere?code=abc123&state=s1&iss=https%3A%2F%2Fas',
      { code: 'abc123', state: 's1', iss: 'https://as' },
    ],
    [
      'full URL with the response in the fragment',
      'http://localhost:1455/auth/callback#code=abc&state=s1',
      { code: 'abc', state: 's1' },
    ],
    ['code#state', 'abc-123_x.y#s1', { code: 'abc-123_x.y', state: 's1' }],
    ['query form', 'code=abc&state=s1', { code: 'abc', state: 's1' }],
    ['query form with ?', '?code=abc&state=s1', { code: 'abc', state: 's1' }],
    ['error response', 'error=access_denied&state=s1', { error: 'access_denied', state: 's1' }],
    ['bare code', '  4/0Abc-de_F  ', { code: '4/0Abc-de_F' }],
    ['empty', '   ', undefined],
    ['text with spaces', 'not a redirect url', undefined],
    ['URL without a code', 'http://localhost:1455/auth/callback?foo=bar', undefined],
    ['query without a code', 'foo=bar', undefined],
    ['code# without state', 'abc#', undefined],
    ['markup', '<script>alert(1)</script>', undefined],
  ]
  it.each(cases)('%s', (_name, input, expected) => {
    const url = parseRedirectInput(input, { redirectUri })
    if (expected === undefined) {
      expect(url).toBeUndefined()
      return
    }
    expect(url).toBeDefined()
    expect(`${url?.origin}${url?.pathname}`).toBe(redirectUri)
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual(expected)
    expect(url?.hash).toBe('')
  })

  it('rejects an invalid registered redirect URI', async () => {
    const error = await catchAuthError(() =>
      Promise.resolve().then(() => parseRedirectInput('abc', { redirectUri: 'nope' })),
    )
    expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('startLoopbackCallback', () => {
  it('binds 127.0.0.1 for a localhost redirect, serves only its path and resolves the rebuilt URL', async () => {
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/auth/callback`
    const callback = await start(redirectUri)
    expect(callback.listening).toBe(true)

    const other = await fetch(`http://127.0.0.1:${port}/favicon.ico`)
    expect(other.status).toBe(404)
    const noCode = await fetch(`http://127.0.0.1:${port}/auth/callback`)
    expect(noCode.status).toBe(400)

    const code = 'code-canary-7f3a'
    const response = await fetch(
      `http://127.0.0.1:${port}/auth/callback?code=${code}&state=${STATE}`,
    )
    const page = await response.text()
    expect(response.status).toBe(200)
    expect(page).toContain('Login complete, you can close this tab')
    expect(page).not.toContain(code)
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')

    const url = await callback.result
    expect(url.href).toBe(`${redirectUri}?code=${code}&state=${STATE}`)
    await callback.close()
    expect(await portIsFree(port)).toBe(true)
  })

  it('also answers on ::1 for a localhost redirect when IPv6 is available', async (context) => {
    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = createServer()
      probe.once('error', () => resolve(false))
      probe.listen(0, '::1', () => probe.close(() => resolve(true)))
    })
    if (!ipv6) context.skip()
    const port = await freePort()
    const callback = await start(`http://localhost:${port}/callback`)
    const response = await fetch(`http://[::1]:${port}/callback?code=v6&state=${STATE}`)
    expect(response.status).toBe(200)
    expect((await callback.result).href).toBe(
      `http://localhost:${port}/callback?code=v6&state=${STATE}`,
    )
    await callback.close()
    const v6Free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
      probe.once('error', () => resolve(false))
      probe.listen(port, '::1', () => probe.close(() => resolve(true)))
    })
    expect(v6Free).toBe(true)
  })

  it('returns listening: false when the port is busy', async () => {
    const port = await freePort()
    await occupy(port)
    const callback = await start(`http://localhost:${port}/callback`)
    expect(callback.listening).toBe(false)
    expect(callback.reason).toContain(`port ${port} is in use`)
  })

  it('does not listen for a non-loopback redirect URI', async () => {
    const callback = await start('https://console.example.com/oauth/code/callback')
    expect(callback.listening).toBe(false)
  })

  it('rejects a callback with another state and shows an error page without parameters', async () => {
    const port = await freePort()
    const callback = await start(`http://localhost:${port}/callback`)
    const response = await fetch(
      `http://127.0.0.1:${port}/callback?code=secret-code-1&state=forged&error_description=%3Cb%3Ehi`,
    )
    const page = await response.text()
    expect(response.status).toBe(400)
    expect(page).toContain('Login failed')
    expect(page).not.toContain('secret-code-1')
    expect(page).not.toContain('forged')
    expect(page).not.toContain('<b>hi')
    const error = await catchAuthError(() => callback.result)
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('state mismatch')
    expect(error.message).not.toContain('secret-code-1')
  })

  it('resolves an error response (the flow turns it into ERR_OAUTH)', async () => {
    const port = await freePort()
    const callback = await start(`http://localhost:${port}/callback`)
    const response = await fetch(
      `http://127.0.0.1:${port}/callback?error=access_denied&state=${STATE}`,
    )
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('Login failed')
    expect((await callback.result).searchParams.get('error')).toBe('access_denied')
  })

  it('aborts within 100 ms of the signal and releases the port', async () => {
    const port = await freePort()
    const controller = new AbortController()
    const callback = await start(`http://localhost:${port}/callback`, {
      signal: controller.signal,
    })
    // A browser holding an idle keep-alive connection must not keep the port.
    const keepAlive = await fetch(`http://127.0.0.1:${port}/other`)
    await keepAlive.text()
    let abortedAt = 0
    setTimeout(() => {
      abortedAt = performance.now()
      controller.abort()
    }, 20)
    const error = await catchAuthError(() => callback.result)
    expect(error.code).toBe('ERR_ABORTED')
    expect(performance.now() - abortedAt).toBeLessThan(100)
    await callback.close()
    expect(await portIsFree(port)).toBe(true)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const error = await catchAuthError(() =>
      startLoopbackCallback({
        redirectUri: 'http://localhost:1/callback',
        expectedState: STATE,
        signal: AbortSignal.abort(),
      }),
    )
    expect(error.code).toBe('ERR_ABORTED')
  })

  it('times out with ERR_OAUTH', async () => {
    const port = await freePort()
    const callback = await start(`http://localhost:${port}/callback`, { timeoutMs: 50 })
    const error = await catchAuthError(() => callback.result)
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toMatch(/timed out/)
    await callback.close()
    expect(await portIsFree(port)).toBe(true)
  })

  it('times out even when not listening', async () => {
    const port = await freePort()
    await occupy(port)
    const callback = await start(`http://localhost:${port}/callback`, { timeoutMs: 30 })
    expect(callback.listening).toBe(false)
    expect((await catchAuthError(() => callback.result)).message).toMatch(/timed out/)
  })
})

describe('raceCallbackAndPaste', () => {
  it('falls back to paste when the port is busy', async () => {
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    const prompts: string[] = []
    const url = await raceCallbackAndPaste({
      callback,
      redirectUri,
      expectedState: STATE,
      promptForRedirect: ({ message }) => {
        prompts.push(message)
        return Promise.resolve(`http://localhost:${port}/callback?code=pasted&state=${STATE}`)
      },
    })
    expect(url.href).toBe(`${redirectUri}?code=pasted&state=${STATE}`)
    expect(prompts).toHaveLength(1)
  })

  it('fails without a listener and without a prompt', async () => {
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    const error = await catchAuthError(() =>
      raceCallbackAndPaste({ callback, redirectUri, expectedState: STATE }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('in use')
  })

  it('lets the paste win over a listening callback, then closes the server', async () => {
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    expect(callback.listening).toBe(true)
    const url = await raceCallbackAndPaste({
      callback,
      redirectUri,
      expectedState: STATE,
      promptForRedirect: () => Promise.resolve(`code-from-paste#${STATE}`),
    })
    expect(url.searchParams.get('code')).toBe('code-from-paste')
    expect(await portIsFree(port)).toBe(true)
    expect((await catchAuthError(() => callback.result)).code).toBe('ERR_ABORTED')
  })

  it('lets the callback win and cancels the pending prompt', async () => {
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    let promptSignal: AbortSignal | undefined
    const race = raceCallbackAndPaste({
      callback,
      redirectUri,
      expectedState: STATE,
      promptForRedirect: (info: RedirectPromptInfo) => {
        promptSignal = info.signal
        return new Promise<string>(() => undefined)
      },
    })
    const response = await fetch(`http://127.0.0.1:${port}/callback?code=browser&state=${STATE}`)
    expect(response.status).toBe(200)
    const url = await race
    expect(url.searchParams.get('code')).toBe('browser')
    expect(promptSignal?.aborted).toBe(true)
  })

  it('adds the expected state to a bare pasted code', async () => {
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/callback`
    const url = await raceCallbackAndPaste({
      callback: await start(redirectUri),
      redirectUri,
      expectedState: STATE,
      promptForRedirect: () => Promise.resolve('bare-code'),
    })
    expect(Object.fromEntries(url.searchParams)).toEqual({ code: 'bare-code', state: STATE })
  })

  it('rejects a paste with another state', async () => {
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    const error = await catchAuthError(() =>
      raceCallbackAndPaste({
        callback,
        redirectUri,
        expectedState: STATE,
        promptForRedirect: () => Promise.resolve('secret-code-2#other-state'),
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.message).toContain('state mismatch')
    expect(error.message).not.toContain('secret-code-2')
    expect(await portIsFree(port)).toBe(true)
  })

  it('re-prompts an unrecognisable paste at most 3 times', async () => {
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    const prompts: string[] = []
    const error = await catchAuthError(() =>
      raceCallbackAndPaste({
        callback,
        redirectUri,
        expectedState: STATE,
        promptForRedirect: ({ message }) => {
          prompts.push(message)
          return Promise.resolve('what is this')
        },
      }),
    )
    expect(error.code).toBe('ERR_OAUTH')
    expect(prompts).toHaveLength(3)
    expect(prompts[1]).toContain('attempt 2 of 3')
  })

  it('accepts a good paste after a bad one', async () => {
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/callback`
    const answers = ['garbage here', `code=ok&state=${STATE}`]
    const url = await raceCallbackAndPaste({
      callback: await start(redirectUri),
      redirectUri,
      expectedState: STATE,
      promptForRedirect: () => Promise.resolve(answers.shift() ?? ''),
    })
    expect(url.searchParams.get('code')).toBe('ok')
  })

  it('keeps waiting for the callback after an empty paste', async () => {
    const port = await freePort()
    const redirectUri = `http://localhost:${port}/callback`
    const callback = await start(redirectUri)
    let prompts = 0
    const race = raceCallbackAndPaste({
      callback,
      redirectUri,
      expectedState: STATE,
      promptForRedirect: () => {
        prompts++
        return Promise.resolve('')
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    await fetch(`http://127.0.0.1:${port}/callback?code=late&state=${STATE}`)
    expect((await race).searchParams.get('code')).toBe('late')
    expect(prompts).toBe(1)
  })

  it('aborts a paste-only wait through the signal', async () => {
    const port = await freePort()
    await occupy(port)
    const redirectUri = `http://localhost:${port}/callback`
    const controller = new AbortController()
    const callback = await start(redirectUri, { signal: controller.signal })
    setTimeout(() => controller.abort(), 10)
    const error = await catchAuthError(() =>
      raceCallbackAndPaste({
        callback,
        redirectUri,
        expectedState: STATE,
        promptForRedirect: () => new Promise<string>(() => undefined),
      }),
    )
    expect(error.code).toBe('ERR_ABORTED')
  })
})
