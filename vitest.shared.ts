import { fileURLToPath } from 'node:url'

const packageSource = (name: string): string =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

/**
 * Sibling packages resolve to their TypeScript sources in tests, so no build is needed before
 * `vitest`; the packaging check covers the built output.
 */
export const workspaceAliases: Record<string, string> = {
  '@claw/model-catalog/schemas': fileURLToPath(
    new URL('./packages/model-catalog/src/schemas.ts', import.meta.url),
  ),
  '@claw/model-catalog': packageSource('model-catalog'),
  '@claw/auth-profiles/redis': fileURLToPath(
    new URL('./packages/auth-profiles/src/redis/index.ts', import.meta.url),
  ),
  '@claw/auth-profiles/openclaw': fileURLToPath(
    new URL('./packages/auth-profiles/src/openclaw/index.ts', import.meta.url),
  ),
  '@claw/auth-profiles/testing': fileURLToPath(
    new URL('./packages/auth-profiles/src/testing/index.ts', import.meta.url),
  ),
  '@claw/auth-profiles': packageSource('auth-profiles'),
  '@claw/failover/testing': fileURLToPath(
    new URL('./packages/failover/src/testing/index.ts', import.meta.url),
  ),
  '@claw/failover': packageSource('failover'),
  '@claw/ai-sdk': packageSource('ai-sdk'),
}
