// A temp claw agent dir per test, shared by the store tests: `root` (removed after the test),
// `agentDir` (`<root>/agents/main/agent`, not created) and its `storePath`. The bindings are live:
// they name the current test's dirs once `useTempAgentDir()` has registered its hooks.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

export let root: string
export let agentDir: string
export let storePath: string

/** Fresh dirs for each test of the calling file; `prefix` names the temp dir. */
export function useTempAgentDir(prefix: string): void {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), prefix))
    agentDir = join(root, 'agents', 'main', 'agent')
    storePath = join(agentDir, 'auth-profiles.json')
  })
  afterEach(() => {
    rmSync(root, { recursive: true, force: true })
  })
}
