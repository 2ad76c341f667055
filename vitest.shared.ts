import { workspaceSources } from './package-entries.ts'

/**
 * Sibling packages resolve to their TypeScript sources in tests, so no build is needed before
 * `vitest`; the packaging check covers the built output. The specifiers and sources come from the
 * packages' `exports` (package-entries.ts); each alias matches its specifier exactly, so
 * `@claw/auth-profiles` never captures `@claw/auth-profiles/redis`.
 */
export const workspaceAliases: { find: RegExp; replacement: string }[] = [
  ...workspaceSources(),
].map(([specifier, source]) => ({
  find: new RegExp(`^${specifier.replace(/[/.-]/g, '\\$&')}$`),
  replacement: source,
}))
