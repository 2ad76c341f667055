// The file source: one checked read of the provider's file for all its refs, then a JSON pointer
// lookup per id (or the whole file for a singleValue provider).
import { isAbsolute } from 'node:path'
import { readCheckedFile, type CheckedFile } from '../../store/checked-file.js'
import type { SecretProviderConfig } from '../../schemas.js'
import {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_TIMEOUT_MS,
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './secret-limits.js'
import {
  abortFailure,
  asFailure,
  Failure,
  limit,
  nonEmpty,
  type Outcome,
  type Pending,
} from './failure.js'
import { isPlainObject, jsonKind, parseJson } from './json-value.js'
import { isJsonPointer, SINGLE_VALUE_SECRET_ID } from './secret-ref.js'

type FileProviderConfig = Extract<SecretProviderConfig, { source: 'file' }>

/** Runs `work` against a deadline and the abort signal; whichever settles first wins. */
function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  timeoutReason: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cleanup()
      reject(abortFailure(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Failure(timeoutReason))
    }, timeoutMs)
    function cleanup(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        cleanup()
        resolve(value)
      },
      (error: unknown) => {
        cleanup()
        reject(asFailure(error))
      },
    )
  })
}

/**
 * Reads a secret file through the shared checked read (no FIFO blocking, `fstat` checks on the
 * opened descriptor before anything is read): a regular file of at most `maxBytes`, owned by the
 * current user with no group or other permission unless the provider allows insecure permissions.
 */
async function readSecretFile(
  path: string,
  maxBytes: number,
  allowInsecure: boolean,
): Promise<string> {
  let file: CheckedFile | undefined
  try {
    file = await readCheckedFile(path, {
      label: 'Secret file',
      maxBytes,
      followSymlinks: true,
      owner: allowInsecure ? 'any' : 'self',
      mode: allowInsecure ? 'any' : 'private',
    })
  } catch (error) {
    // The message names the file and the rule, never content; the cause is an fs error at most.
    const { message, cause } = error as Error
    throw new Failure(message.replace(/\.$/, ''), {
      path,
      ...(cause === undefined ? {} : { cause }),
    })
  }
  if (!file) throw new Failure(`${path} does not exist`, { path })
  return file.text
}

/** Looks `pointer` up in `document` (RFC 6901); `undefined` when a token is missing. */
function lookupPointer(document: unknown, pointer: string): { value: unknown } | undefined {
  let current = document
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= current.length) return undefined
      current = current[Number(token)] as unknown
    } else if (isPlainObject(current) && Object.hasOwn(current, token)) {
      current = current[token]
    } else {
      return undefined
    }
  }
  return { value: current }
}

function checkFileId(id: string, mode: 'json' | 'singleValue'): void {
  if (mode === 'singleValue' && id !== SINGLE_VALUE_SECRET_ID) {
    throw new Failure(
      `the provider is a singleValue file provider, whose only id is "${SINGLE_VALUE_SECRET_ID}"`,
    )
  }
  if (mode === 'json' && !isJsonPointer(id)) {
    throw new Failure(
      'the provider is a json file provider, whose ids are absolute JSON pointers such as /providers/openai/apiKey',
    )
  }
}

/** The value at `id` in the file's text (already read once for all refs of the provider). */
function extractFileValue(
  text: string,
  parsed: { ok: true; document: unknown } | { ok: false } | undefined,
  id: string,
  mode: 'json' | 'singleValue',
  path: string,
): string {
  if (mode === 'singleValue') return nonEmpty(text, `the file ${path}`)
  // The parse error is dropped on purpose: V8's messages quote the input.
  if (!parsed?.ok) throw new Failure(`${path} is not valid JSON`, { path })
  const found = lookupPointer(parsed.document, id)
  if (found === undefined)
    throw new Failure(`JSON pointer ${id} was not found in ${path}`, { path })
  if (typeof found.value !== 'string') {
    throw new Failure(`JSON pointer ${id} in ${path} is ${jsonKind(found.value)}, not a string`, {
      path,
    })
  }
  return nonEmpty(found.value, `the value at JSON pointer ${id}`)
}

/** Reads the file once for all refs of the provider, then looks each id up. */
export async function resolveFileGroup(
  config: FileProviderConfig,
  pendings: readonly Pending[],
  signal: AbortSignal | undefined,
  outcomes: Map<string, Outcome>,
): Promise<void> {
  const path: unknown = config.path
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new Failure("the provider's path must be an absolute path")
  }
  const mode = config.mode ?? 'json'
  if (mode !== 'json' && mode !== 'singleValue') {
    throw new Failure('the provider\'s mode must be "json" or "singleValue"')
  }
  const timeoutMs = limit(
    config.timeoutMs,
    DEFAULT_SECRET_TIMEOUT_MS,
    'timeoutMs',
    MAX_SECRET_TIMEOUT_MS,
  )
  const maxBytes = limit(
    config.maxBytes,
    DEFAULT_SECRET_MAX_BYTES,
    'maxBytes',
    MAX_SECRET_MAX_BYTES,
  )
  const wanted: Pending[] = []
  for (const pending of pendings) {
    try {
      checkFileId(pending.ref.id, mode)
      wanted.push(pending)
    } catch (error) {
      outcomes.set(pending.key, { failure: asFailure(error) })
    }
  }
  if (wanted.length === 0) return
  const text = await withDeadline(
    readSecretFile(path, maxBytes, config.allowInsecurePermissions === true),
    timeoutMs,
    signal,
    `reading ${path} did not finish within ${timeoutMs} ms`,
  )
  const parsed = mode === 'json' ? parseJson(text) : undefined
  for (const { ref, key } of wanted) {
    try {
      outcomes.set(key, { value: extractFileValue(text, parsed, ref.id, mode, path) })
    } catch (error) {
      outcomes.set(key, { failure: asFailure(error) })
    }
  }
}
