// `claw models scan` against a loopback fake: OpenRouter's model list (free/tool/image flags) and
// an OpenAI-compatible `/v1/models` + `/v1/chat/completions`, probed with bounded concurrency.
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'
import { KEYS, runClawOnTty } from '../../test/helpers/tty.ts'

let server: Server
let baseUrl: string
let inFlight = 0
let maxInFlight = 0
const authSeen: (string | undefined)[] = []

const OPENROUTER_MODELS = [
  {
    id: 'meta/llama-free:free',
    pricing: { prompt: '0', completion: '0' },
    supported_parameters: ['tools', 'temperature'],
    architecture: { input_modalities: ['text'] },
    context_length: 131072,
  },
  {
    id: 'openai/gpt-vision',
    pricing: { prompt: '0.000002', completion: '0.000008' },
    supported_parameters: ['temperature'],
    architecture: { input_modalities: ['text', 'image'] },
    context_length: 128000,
  },
]

async function body(request: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of request) text += String(chunk)
  return text
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => {
      authSeen.push(request.headers.authorization)
      if (request.method === 'GET' && request.url === '/api/v1/models') {
        response.end(JSON.stringify({ data: OPENROUTER_MODELS }))
      } else if (request.method === 'GET' && request.url === '/v1/models') {
        const ids = ['good-1', 'good-2', 'good-3', 'broken', 'slow']
        response.end(JSON.stringify({ object: 'list', data: ids.map((id) => ({ id })) }))
      } else if (request.method === 'POST' && request.url === '/v1/chat/completions') {
        const { model } = JSON.parse(await body(request)) as { model: string }
        inFlight += 1
        maxInFlight = Math.max(maxInFlight, inFlight)
        await new Promise((resolve) => setTimeout(resolve, model === 'slow' ? 5_000 : 150))
        inFlight -= 1
        if (response.destroyed) return
        response.statusCode = model === 'broken' ? 500 : 200
        response.end(JSON.stringify({ choices: [{ message: { content: 'OK' } }] }))
      } else {
        response.statusCode = 404
        response.end()
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

let sandbox: ClawSandbox
beforeEach(() => {
  sandbox = new ClawSandbox('claw-scan-')
  authSeen.length = 0
  maxInFlight = 0
})
afterEach(() => sandbox.dispose())

it('lists OpenRouter models with their free, tool and image flags, and filters them', async () => {
  sandbox.writeConfig({
    models: { providers: { openrouter: { baseUrl: `${baseUrl}/api/v1`, models: [] } } },
  })
  const result = await sandbox.run(['models', 'scan'])
  expect(result.code).toBe(0)
  expect(result.stdout).toBe(
    [
      'openrouter/meta/llama-free:free  free tools',
      'openrouter/openai/gpt-vision     image',
      '2 models.',
      '',
    ].join('\n'),
  )
  const json = parseJsonOutput<{ models: unknown[] }>(
    await sandbox.run(['models', 'scan', '--free', '--tools', '--json']),
  )
  expect(json.models).toEqual([
    {
      provider: 'openrouter',
      id: 'meta/llama-free:free',
      free: true,
      tools: true,
      image: false,
      contextWindow: 131072,
    },
  ])
})

it('probes an OpenAI-compatible server with bounded concurrency and a timeout; a failure exits 3', async () => {
  const key = canarySecret('sk-')
  sandbox.writeConfig({
    models: {
      providers: { vllm: { baseUrl: `${baseUrl}/v1`, api: 'openai-completions', models: [] } },
    },
  })
  sandbox.writeStore(
    buildAuthProfileStore({ profiles: { 'vllm:default': apiKeyCredential('vllm', key) } }),
  )
  const result = await sandbox.run([
    'models',
    'scan',
    '--probe',
    '--concurrency',
    '2',
    '--timeout',
    '1500',
    '--json',
  ])
  expect(result.code).toBe(3)
  const json = parseJsonOutput<{
    models: { id: string; probe: { ok: boolean; status: number | null; error: string | null } }[]
  }>(result)
  expect(json.models.map((model) => [model.id, model.probe.ok, model.probe.error])).toEqual([
    ['good-1', true, null],
    ['good-2', true, null],
    ['good-3', true, null],
    ['broken', false, 'HTTP 500'],
    ['slow', false, 'timed out'],
  ])
  expect(maxInFlight).toBe(2)
  expect(authSeen.every((header) => header === `Bearer ${key}`)).toBe(true)
  expect(sandbox.leaks([key])).toEqual([])
})

it('warns about a provider it cannot reach and exits 1 when nothing was listed', async () => {
  sandbox.writeConfig({
    models: { providers: { ollama: { baseUrl: 'http://127.0.0.1:9/v1', models: [] } } },
  })
  const result = await sandbox.run(['models', 'scan', '--timeout', '2000'])
  expect(result.code).toBe(1)
  expect(result.stderr).toMatch(/^Warning: ollama: the model list could not be fetched \(/)
})

/** A parsed JSON document, indexable in assertions. */
type Doc = { [key: string]: Doc }

/** The config as written. */
function config(): Doc {
  return JSON.parse(readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')) as Doc
}

function vllmConfig(): void {
  sandbox.writeConfig({
    models: {
      providers: { vllm: { baseUrl: `${baseUrl}/v1`, api: 'openai-completions', models: [] } },
    },
  })
}

it('--add and --alias add listed models to models.providers, with what the provider said', async () => {
  sandbox.writeConfig({
    models: { providers: { openrouter: { baseUrl: `${baseUrl}/api/v1` } } },
  })
  const result = await sandbox.run([
    'models',
    'scan',
    '--add',
    'meta/llama-free:free',
    '--alias',
    'vision=openrouter/openai/gpt-vision',
  ])
  expect(result.code).toBe(0)
  expect(result.stdout).toContain(
    [
      'Added openrouter/meta/llama-free:free to models.providers.openrouter',
      'Added openrouter/openai/gpt-vision to models.providers.openrouter',
    ].join('\n'),
  )
  expect(result.stdout).toContain('Alias vision -> openrouter/openai/gpt-vision')
  // The alias's model is in the catalog now: no "unknown model" warning.
  expect(result.stderr).toBe('')
  expect(config()['models']?.['providers']).toEqual({
    openrouter: {
      baseUrl: `${baseUrl}/api/v1`,
      models: [
        {
          id: 'meta/llama-free:free',
          toolCall: true,
          input: ['text'],
          contextWindow: 131072,
          cost: { input: 0, output: 0 },
        },
        {
          id: 'openai/gpt-vision',
          toolCall: false,
          input: ['text', 'image'],
          contextWindow: 128000,
        },
      ],
    },
  })
  expect(config()['agents']?.['defaults']?.['models']).toEqual({
    'openrouter/openai/gpt-vision': { alias: 'vision' },
  })
  // Adding again changes nothing.
  const again = await sandbox.run(['models', 'scan', '--add', 'openrouter/meta/llama-free:free'])
  expect(again.stdout).toContain('Already in models.providers; nothing added.')
  expect(config()['models']?.['providers']?.['openrouter']?.['models']).toHaveLength(2)
})

it('a model that was not listed, or a bad --alias, is refused before anything is written', async () => {
  vllmConfig()
  const before = readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')
  const missing = await sandbox.run(['models', 'scan', '--add', 'good-1,vllm/good-9'])
  expect(missing.code).toBe(1)
  expect(missing.stderr).toBe(
    '"vllm/good-9" is not among the models listed. Did you mean vllm/good-1?\n',
  )
  const alias = await sandbox.run(['models', 'scan', '--alias', 'good-1'])
  expect(alias.code).toBe(1)
  expect(alias.stderr).toBe(
    '--alias takes <name>=<model> (e.g. --alias fast=openrouter/some-model), not good-1.\n',
  )
  const json = await sandbox.run(['models', 'scan', '--add', 'good-1', '--json'])
  expect(json.code).toBe(1)
  expect(json.stderr).toBe('--add and --alias print what they change: use them without --json.\n')
  expect(readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')).toBe(before)
})

it('on a terminal: shows probe progress, then offers the models to add (Space ticks, Enter adds)', async () => {
  vllmConfig()
  const result = await runClawOnTty(
    ['models', 'scan', '--probe', '--timeout', '1500'],
    sandbox.baseEnv(),
    [
      {
        waitFor: '? Add models to the config?',
        input: `${KEYS.space}${KEYS.down}${KEYS.down}${KEYS.space}${KEYS.enter}`,
      },
    ],
  )
  expect(result.output).toContain('Probing vllm: 5/5')
  expect(result.output).toMatch(/vllm\/broken +failed \(HTTP 500\)/)
  expect(result.output).toContain('? Add models to the config? vllm/good-1, vllm/good-3')
  expect(result.output).toContain('Added vllm/good-3 to models.providers.vllm')
  // A failed probe still sets the exit code.
  expect(result.code).toBe(3)
  expect(config()['models']?.['providers']?.['vllm']?.['models']).toEqual([
    { id: 'good-1' },
    { id: 'good-3' },
  ])
})

it('on a terminal: Esc at the offer cancels with exit 1 and leaves the config as it was', async () => {
  vllmConfig()
  const before = readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')
  const result = await runClawOnTty(['models', 'scan'], sandbox.baseEnv(), [
    { waitFor: '? Add models to the config?', input: `${KEYS.space}${KEYS.escape}` },
  ])
  expect(result.code).toBe(1)
  expect(result.output).toContain('Cancelled.')
  expect(readFileSync(join(sandbox.stateDir, 'claw.json'), 'utf8')).toBe(before)
})
