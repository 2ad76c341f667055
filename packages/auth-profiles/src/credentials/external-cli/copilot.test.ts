import { describe, expect, it } from 'vitest'
import {
  sha256,
  writeJson,
  readStore,
  copilotPath,
  read,
  importFrom,
  useExternalCliDirs,
} from '../../../test/helpers/external-cli.js'
import { canarySecret } from '../../testing/index.js'

useExternalCliDirs()

describe('copilot', () => {
  const variants: [string, (token: string) => unknown][] = [
    ['token', (token) => ({ token })],
    ['oauth_token', (token) => ({ oauth_token: token })],
    ['github_token', (token) => ({ github_token: token })],
    [
      'a host map (github.com picked first)',
      (token) => ({
        'ghe.example.com': { oauth_token: canarySecret() },
        'github.com': { oauth_token: token, user: 'me' },
      }),
    ],
    [
      'a hosts array',
      (token) => [
        { host: 'ghe.example.com', oauth_token: canarySecret() },
        { host: 'https://GitHub.com/', oauth_token: token },
      ],
    ],
    [
      'a nested hosts map',
      (token) => ({ hosts: { 'github.com': { oauth_token: token } }, version: 2 }),
    ],
    [
      'a hosts array without github.com (first host)',
      (token) => ({ hosts: [{ hostname: 'ghe.example.com', oauth_token: token }] }),
    ],
  ]

  it.each(variants)('reads a GitHub token from %s', async (_name, build) => {
    const token = canarySecret()
    writeJson(copilotPath(), build(token))
    const before = sha256(copilotPath())
    const found = await read('copilot', { env: { GH_TOKEN: canarySecret() } })
    expect(found).toEqual({
      source: 'copilot',
      path: copilotPath(),
      profiles: {
        'github-copilot:github': { type: 'token', provider: 'github-copilot', token },
      },
    })
    expect(sha256(copilotPath())).toBe(before)
  })

  it('falls back to COPILOT_GITHUB_TOKEN → GH_TOKEN → GITHUB_TOKEN', async () => {
    const copilot = canarySecret()
    const gh = canarySecret()
    const github = canarySecret()
    const token = async (env: Record<string, string>) =>
      (await read('copilot', { env }))?.profiles['github-copilot:github']
    expect(
      await token({ COPILOT_GITHUB_TOKEN: copilot, GH_TOKEN: gh, GITHUB_TOKEN: github }),
    ).toMatchObject({ token: copilot })
    expect(
      await token({ COPILOT_GITHUB_TOKEN: ' ', GH_TOKEN: gh, GITHUB_TOKEN: github }),
    ).toMatchObject({ token: gh })
    expect(await token({ GITHUB_TOKEN: github })).toMatchObject({ token: github })
    expect((await read('copilot', { env: { GH_TOKEN: gh } }))?.path).toBe('env:GH_TOKEN')
    // A file without a recognisable token falls back to the environment too.
    writeJson(copilotPath(), { unrelated: true })
    expect(await token({ GITHUB_TOKEN: github })).toMatchObject({ token: github })
    expect((await read('copilot'))?.profiles).toEqual({})
  })

  it('imports a never-expiring token profile', async () => {
    const token = canarySecret()
    const result = await importFrom('copilot', { env: { GITHUB_TOKEN: token } })
    expect(result).toMatchObject({
      path: 'env:GITHUB_TOKEN',
      imported: ['github-copilot:github'],
    })
    expect(readStore().profiles['github-copilot:github']).toEqual({
      type: 'token',
      provider: 'github-copilot',
      token,
      generation: 1,
    })
  })
})
