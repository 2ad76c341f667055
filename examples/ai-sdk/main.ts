// @claw/ai-sdk: AI SDK models that rotate credentials, honour cooldowns and fall back across
// providers, explained in providerMetadata.claw.
//
//   pnpm --filter @claw-examples/ai-sdk start
//     offline, against a local fake provider: openai:work is rate-limited (429, Retry-After: 30),
//     openai:personal answers; then openai:personal runs out of credit and the Anthropic fallback
//     answers. No real keys, no network.
//
// The AI SDK 7 needs Node >= 22; under older Node this says so and exits.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  console.log(
    `\n@claw/ai-sdk example skipped: the AI SDK 7 needs Node >= 22 (this is ${process.version}).` +
      '\nRun it under Node 22+: pnpm --filter @claw-examples/ai-sdk start',
  )
} else {
  await import('./demo.ts')
}
