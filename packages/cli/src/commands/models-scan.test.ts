// `claw models scan` against a loopback fake: OpenRouter's model list (free/tool/image flags) and
// an OpenAI-compatible `/v1/models` + `/v1/chat/completions`, probed with bounded concurrency.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { apiKeyCredential, buildAuthProfileStore, canarySecret } from '@claw/auth-profiles/testing'
import { ClawSandbox, parseJsonOutput } from '../../test/helpers/claw.ts'

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
