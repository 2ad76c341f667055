// Plaintext secrets in generated files: an agent dir's `models.json` must name env vars (or hold
// SecretRefs), never a resolved key (openclaw#28359). A value is flagged when it equals a stored
// credential, or when a secret-bearing field (apiKey, headers, …) holds something shaped like a
// key. Findings name the file and JSON path, never the value. `--fix` replaces a provider's
// literal `apiKey` with the provider's env var name when the catalog knows it.
import { join } from 'node:path'
import {
  readCheckedFile,
  writePrivateFileAtomic,
  type AuthProfileCredential,
} from '@claw/auth-profiles'
import { formatConfigPath, getProvider } from '@claw/model-catalog'
import { looksLikeSecret } from '../argv-secret.js'
import { compareText, safe } from '../text.js'
import { agentSuffix } from './state.js'
import type { AgentState, DoctorCheck, DoctorState, Finding, Repair } from './types.js'
import { isRecord } from '../json-object.js'

/** Generated files are small; larger ones are not scanned. */
const MAX_BYTES = 4 * 1024 * 1024
const SECRET_FIELD = /^(api[-_]?key|key|token|access|refresh|secret|password|authorization)$/i

function secretsOf(credential: AuthProfileCredential): string[] {
  const values: unknown[] =
    credential.type === 'api_key'
      ? [credential.key]
      : credential.type === 'token'
        ? [credential.token]
        : [credential.access, credential.refresh]
  return values.flatMap((value) =>
    typeof value === 'string' && value.trim().length >= 8 ? [value.trim()] : [],
  )
}

/** Every secret value held by any store (compared, never printed). */
function storedSecrets(state: DoctorState): Set<string> {
  const secrets = new Set<string>()
  for (const agent of state.agents) {
    for (const credential of Object.values(agent.store?.profiles ?? {})) {
      for (const secret of secretsOf(credential)) secrets.add(secret)
    }
  }
  return secrets
}

function isLiteralSecret(
  value: string,
  key: string,
  inHeaders: boolean,
  secrets: ReadonlySet<string>,
): boolean {
  const trimmed = value.trim()
  if (secrets.has(trimmed)) return true
  if (!inHeaders && !SECRET_FIELD.test(key)) return false
  return looksLikeSecret(trimmed.replace(/^(Bearer|Basic|token)\s+/i, ''))
}

/** JSON paths (as key lists) of literal secrets in a document. */
export function findLiteralSecrets(
  document: unknown,
  secrets: ReadonlySet<string>,
): (string | number)[][] {
  const hits: (string | number)[][] = []
  const stack: { value: unknown; path: (string | number)[]; inHeaders: boolean }[] = [
    { value: document, path: [], inHeaders: false },
  ]
  while (stack.length > 0) {
    const { value, path, inHeaders } = stack.pop()!
    const key = String(path.at(-1) ?? '')
    if (typeof value === 'string') {
      if (isLiteralSecret(value, key, inHeaders, secrets)) hits.push(path)
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: [...path, index], inHeaders }))
    } else if (isRecord(value)) {
      const headers = inHeaders || /^headers$/i.test(key)
      for (const [child, item] of Object.entries(value)) {
        stack.push({ value: item, path: [...path, child], inHeaders: headers })
      }
    }
  }
  return hits.sort((a, b) => compareText(formatConfigPath(a), formatConfigPath(b)))
}

/** The file's JSON; `undefined` when it is missing, a link, not a regular file or too large. */
async function readDocument(path: string): Promise<unknown> {
  let file
  try {
    file = await readCheckedFile(path, { label: 'Generated file', maxBytes: MAX_BYTES })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_STORE_READ' || code === 'ERR_STORE_INVALID') throw error
    return undefined
  }
  return file && (JSON.parse(file.text) as unknown)
}

/** `providers.<id>.apiKey` → the provider's first credential env var, when the catalog knows it. */
function envVarFor(path: readonly (string | number)[]): string | undefined {
  if (path.length !== 3 || path[0] !== 'providers' || path[2] !== 'apiKey') return undefined
  return getProvider(String(path[1]))?.envVars[0]?.name
}

function replaceWithEnvVar(
  state: DoctorState,
  file: string,
  path: readonly (string | number)[],
  envVar: string,
): Repair {
  return {
    kind: 'safe',
    async apply() {
      const document = await readDocument(file)
      const provider = String(path[1])
      const secrets = storedSecrets(state)
      const entry =
        isRecord(document) && isRecord(document['providers'])
          ? document['providers'][provider]
          : undefined
      if (!isRecord(entry) || typeof entry['apiKey'] !== 'string') return []
      if (!isLiteralSecret(entry['apiKey'], 'apiKey', false, secrets)) return []
      entry['apiKey'] = envVar
      await writePrivateFileAtomic(file, `${JSON.stringify(document, null, 2)}\n`, {
        env: state.context.env,
      })
      return [
        `Replaced the literal key at ${safe(formatConfigPath(path))} in ${file} with ${envVar}`,
      ]
    },
  }
}

async function scanAgent(
  state: DoctorState,
  agent: AgentState,
  secrets: ReadonlySet<string>,
): Promise<Finding[]> {
  const file = join(agent.agentDir, 'models.json')
  let document: unknown
  try {
    document = await readDocument(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    return [
      {
        id: 'plaintext.unreadable',
        severity: 'warning',
        message: `${file}${agentSuffix(agent.agentId)} could not be read as JSON, so it was not scanned for secrets.`,
        agentId: agent.agentId,
        file,
        fix: 'Delete it; it is regenerated from the config.',
      },
    ]
  }
  return findLiteralSecrets(document, secrets).map((path) => {
    const envVar = envVarFor(path)
    return {
      id: 'plaintext.secret',
      severity: 'error',
      message: `${file}${agentSuffix(agent.agentId)} holds a literal secret at ${safe(formatConfigPath(path))}; generated files must name an env var instead.`,
      agentId: agent.agentId,
      file,
      ...(envVar
        ? {
            fix: `claw doctor --fix replaces it with the env var name ${envVar}.`,
            repair: replaceWithEnvVar(state, file, path, envVar),
          }
        : {
            fix: 'Remove the value (or put an env var name there) and keep the secret in an auth profile.',
          }),
    }
  })
}

export const plaintextCheck: DoctorCheck = {
  area: 'plaintext',
  title: 'Secrets in generated files',
  okMessage: 'Generated files hold no literal secrets.',
  async run(state) {
    const secrets = storedSecrets(state)
    const findings: Finding[] = []
    for (const agent of state.agents) findings.push(...(await scanAgent(state, agent, secrets)))
    return findings
  },
}
