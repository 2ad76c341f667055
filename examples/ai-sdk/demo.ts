import { createAnthropic } from '@ai-sdk/anthropic'
import { createOpenAI } from '@ai-sdk/openai'
import { createClaw, type ClawProviderMetadata } from '@claw/ai-sdk'
import { createMemoryAuthStore, type ClawConfig } from '@claw/auth-profiles'
import { behave, startProviderServer } from '@claw/failover/testing'
import { generateText, streamText } from 'ai'

const KEYS = {
  work: 'sk-demo-openai-work-5c1e0f7a9b',
  personal: 'sk-demo-openai-personal-2d8b6a',
  anthropic: 'sk-ant-demo-key-7f3c9e1a4b0d',
}

function describe(metadata: unknown): void {
  const claw = (metadata as { claw: ClawProviderMetadata }).claw
  const failed = claw.attempts.map((attempt) => `${attempt.profileId} → ${attempt.reason}`)
  console.log(
    `  answered by ${claw.provider}/${claw.model} with ${claw.profileId}` +
      (failed.length > 0 ? ` after ${failed.join(', ')}` : '') +
      (claw.cost ? ` · est. $${claw.cost.total.toFixed(6)}` : ''),
  )
  for (const entry of claw.trace) {
    console.log(
      `    ${entry.outcome.padEnd(9)} ${entry.provider}/${entry.model} ${entry.credential ?? ''}  ${entry.detail}`,
    )
  }
}

const server = await startProviderServer()
try {
  server.setBehaviour(KEYS.work, behave.rateLimit({ format: 'seconds', seconds: 30 }))
  server.setBehaviour(KEYS.personal, behave.text('Hello from OpenAI, personal key!'))
  server.setBehaviour(KEYS.anthropic, behave.text('Hello from Claude!'))

  const config: ClawConfig = {
    agents: {
      defaults: {
        model: { primary: 'openai/gpt-5.2', fallbacks: ['anthropic/claude-sonnet-4-5'] },
        models: { 'openai/gpt-5.2': { alias: 'gpt' }, 'anthropic/claude-sonnet-4-5': {} },
      },
    },
    // The fake provider stands in for both APIs.
    models: {
      providers: {
        openai: { baseUrl: `${server.url}/v1` },
        anthropic: { baseUrl: server.url },
      },
    },
  }
  const store = createMemoryAuthStore({
    version: 1,
    profiles: {
      'openai:work': { type: 'api_key', provider: 'openai', key: KEYS.work },
      'openai:personal': { type: 'api_key', provider: 'openai', key: KEYS.personal },
      'anthropic:default': { type: 'api_key', provider: 'anthropic', key: KEYS.anthropic },
    },
    order: { openai: ['openai:work', 'openai:personal'] },
  })
  const claw = createClaw({
    store,
    config,
    providers: { openai: createOpenAI, anthropic: createAnthropic },
    env: {},
  })

  console.log(
    '\n1. generateText with claw("gpt"): openai:work is rate-limited (429, Retry-After: 30)',
  )
  const first = await generateText({ model: claw('gpt'), prompt: 'Say hello.' })
  console.log(`  "${first.text}"`)
  describe(first.providerMetadata)

  console.log('\n2. streamText: openai:work is still cooling down, so it is not even asked')
  const stream = streamText({ model: claw('gpt'), prompt: 'Say hello again.' })
  process.stdout.write('  "')
  for await (const delta of stream.textStream) process.stdout.write(delta)
  console.log('"')
  describe(await stream.providerMetadata)

  console.log('\n3. openai:personal runs out of credit (402): the Anthropic fallback answers')
  server.setBehaviour(KEYS.personal, behave.paymentRequired())
  const third = await generateText({ model: claw('gpt'), prompt: 'Say hello once more.' })
  console.log(`  "${third.text}"`)
  describe(third.providerMetadata)
  console.log(`\n  requests the fake provider saw: ${server.stats().total}`)
} finally {
  await server.close()
}
