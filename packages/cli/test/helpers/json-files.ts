// Reading back what `claw` wrote (credential stores, the config) in the credential command tests.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ClawSandbox } from './claw.ts'

/** A parsed JSON document, indexable in assertions. */
export type Doc = { [key: string]: Doc }

export function readJson(path: string): Doc {
  return JSON.parse(readFileSync(path, 'utf8')) as Doc
}

/** An agent's `auth-profiles.json` in the sandbox. */
export function storeFile(sandbox: ClawSandbox, agentId = 'main'): Doc {
  return readJson(join(sandbox.agentDir(agentId), 'auth-profiles.json'))
}

/** The sandbox's `claw.json`. */
export function configFile(sandbox: ClawSandbox): Doc {
  return readJson(join(sandbox.stateDir, 'claw.json'))
}

/** Replaces the sandbox's temp root in every string of a JSON value. */
export function normalize<T>(sandbox: ClawSandbox, value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll(sandbox.root, '<root>')) as T
}
