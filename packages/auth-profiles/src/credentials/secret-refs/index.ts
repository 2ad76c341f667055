// SecretRef resolution: turns `{ source, provider, id }` references into secret values by reading
// an environment variable, a file or the output of a command. Every failure is an
// `AuthProfilesError` with code `ERR_SECRET_REF`; messages name the provider alias, source and id
// (never the value), and causes are only attached when they cannot contain the secret (an fs or
// spawn error, an abort reason) — never a JSON parse error or anything that saw file or output
// content.
import type { ChildProcess } from 'node:child_process'
import { constants, type Stats } from 'node:fs'
import { access, lstat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
// Signalling a process group is an OS call, not ambient configuration: it is imported rather than
// read from the `process` global, which library code never touches (see runtime.ts).
import { readCheckedFile, strictModesProblem, type CheckedFile } from '../../store/checked-file.js'
import { AuthProfilesError } from '../../errors.js'
import {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_TIMEOUT_MS,
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './secret-limits.js'
import { killProcessGroup, resolveEnv, type Env } from '../../runtime.js'
import type { SecretProviderConfig, SecretsConfig } from '../../schemas.js'
import type { SecretRef } from '../../types.js'

// The limits are part of this entry's surface (`@claw/auth-profiles/secret-refs`).
export {
  DEFAULT_SECRET_MAX_BYTES,
  DEFAULT_SECRET_TIMEOUT_MS,
  MAX_SECRET_MAX_BYTES,
  MAX_SECRET_TIMEOUT_MS,
} from './secret-limits.js'

/** The exec provider protocol version claw speaks and accepts. @public */
export const SECRET_EXEC_PROTOCOL_VERSION = 1

/** How many secret providers `resolveSecretRefs` works on at the same time. @public */
export const SECRET_PROVIDER_CONCURRENCY = 4

/** The provider alias that exists as an env provider when the config does not declare it. @public */
export const DEFAULT_SECRET_PROVIDER = 'default'

/** The only id a `singleValue` file provider accepts: the whole file is the secret. @public */
export const SINGLE_VALUE_SECRET_ID = 'value'

/** Options of `resolveSecretRef` and `resolveSecretRefs`. @public */
export interface ResolveSecretRefOptions {
  /**
   * The config's `secrets` slice: `{ providers?: Record<alias, SecretProviderConfig> }`. The alias
   * `default` is an env provider unless configured otherwise.
   */
  readonly secrets?: SecretsConfig | undefined
  /**
   * Environment variables, read by env providers and the source of the variables an exec provider
   * passes to its command (`PATH` and `passEnv`); default `process.env`.
   */
  readonly env?: Env
  /** Aborting stops the work: a running command is killed and the call rejects. */
  readonly signal?: AbortSignal
}

/**
 * The outcome of `resolveSecretRefs`, keyed by `secretRefKey(ref)`: each distinct ref is in
 * exactly one of the two maps.
 *
 * @public
 */
export interface ResolveSecretRefsResult {
  readonly values: Map<string, string>
  /** Per-ref failures, each an `AuthProfilesError` with code `ERR_SECRET_REF`. */
  readonly errors: Map<string, AuthProfilesError>
}

type EnvProviderConfig = Extract<SecretProviderConfig, { source: 'env' }>
type FileProviderConfig = Extract<SecretProviderConfig, { source: 'file' }>
type ExecProviderConfig = Extract<SecretProviderConfig, { source: 'exec' }>

const PROVIDER_ALIAS = /^[a-z][a-z0-9_-]{0,63}$/
const ENV_ID = /^[A-Z][A-Z0-9_]{0,127}$/
const EXEC_ID = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/
const MAX_FILE_ID_LENGTH = 512
const REF_FIELDS = new Set(['source', 'provider', 'id'])
/** How long a killed command may take to exit before the call rejects anyway. */
const KILL_GRACE_MS = 1000
/**
 * How long, after a command exited 0, its stdout may take to reach end-of-file: output it wrote
 * before exiting is already in the pipe, but a background process it left may hold the pipe open.
 */
const EXIT_DRAIN_MS = 250

/**
 * A failure reason inside this module. `reason` never contains a secret; it becomes part of the
 * public error's message once the ref is known.
 */
class Failure extends Error {
  readonly reason: string
  readonly details: { readonly cause?: unknown; readonly path?: string }

  constructor(reason: string, details: { readonly cause?: unknown; readonly path?: string } = {}) {
    super(reason)
    this.reason = reason
    this.details = details
  }
}

/** Code of an fs/spawn error (`ENOENT`, …), never its message. */
function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : 'unknown error'
}

/** Unexpected errors are reduced to their code: their message may quote content. */
function asFailure(error: unknown): Failure {
  return error instanceof Failure ? error : new Failure(`unexpected error (${errnoCode(error)})`)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** True for an absolute RFC 6901 JSON pointer (`/a/b`, `~0` and `~1` escapes only). */
function isJsonPointer(id: string): boolean {
  return id.startsWith('/') && !/~(?![01])/.test(id)
}

/**
 * Why `ref` is not a valid SecretRef, or `undefined` when it is. Checks the shape and the id syntax
 * of its source: `provider` matches `^[a-z][a-z0-9_-]{0,63}$`; env ids are variable names
 * (`^[A-Z][A-Z0-9_]{0,127}$`); file ids are absolute JSON pointers (`/a/b`, with RFC 6901 `~0` and
 * `~1` escapes) or `value` for `singleValue` providers; exec ids match
 * `^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$` and have no `.` or `..` path segment. Whether the id fits
 * the provider's mode is checked when resolving. The reason never quotes field values.
 *
 * @public
 */
export function validateSecretRef(ref: unknown): string | undefined {
  if (!isPlainObject(ref)) return 'a secret ref must be an object { source, provider, id }'
  for (const field of Object.keys(ref)) {
    if (!REF_FIELDS.has(field)) {
      return `unknown field ${JSON.stringify(truncate(field, 64))} (a secret ref has only source, provider and id)`
    }
  }
  const { source, provider, id } = ref
  if (source !== 'env' && source !== 'file' && source !== 'exec') {
    return 'source must be "env", "file" or "exec"'
  }
  if (typeof provider !== 'string' || !PROVIDER_ALIAS.test(provider)) {
    return 'provider must be an alias matching ^[a-z][a-z0-9_-]{0,63}$'
  }
  if (typeof id !== 'string' || id === '') return 'id must be a non-empty string'
  switch (source) {
    case 'env':
      return ENV_ID.test(id)
        ? undefined
        : 'env ids must be environment variable names matching ^[A-Z][A-Z0-9_]{0,127}$'
    case 'file':
      if (id.length > MAX_FILE_ID_LENGTH) {
        return `file ids must be at most ${MAX_FILE_ID_LENGTH} characters`
      }
      if (hasControlCharacter(id)) return 'file ids must not contain control characters'
      if (id === SINGLE_VALUE_SECRET_ID) return undefined
      if (!id.startsWith('/')) {
        return `file ids must be absolute JSON pointers such as /providers/openai/apiKey, or "${SINGLE_VALUE_SECRET_ID}" for singleValue providers`
      }
      return isJsonPointer(id)
        ? undefined
        : 'file ids must be valid JSON pointers: "~" may only appear as ~0 or ~1'
    case 'exec':
      if (!EXEC_ID.test(id)) return 'exec ids must match ^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$'
      return id.split('/').some((segment) => segment === '.' || segment === '..')
        ? 'exec ids must not contain "." or ".." path segments'
        : undefined
  }
}

/**
 * The key `resolveSecretRefs` uses for a ref: `${source}:${provider}:${id}`.
 *
 * @public
 */
export function secretRefKey(ref: SecretRef): string {
  return `${String(ref.source)}:${String(ref.provider)}:${String(ref.id)}`
}

/** `secretRefKey`, tolerant of values that are not refs at all (untyped callers). */
function keyOf(ref: unknown): string {
  return isPlainObject(ref) ? secretRefKey(ref as unknown as SecretRef) : `invalid:${typeof ref}`
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value
}

function quoteField(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(truncate(value, 160)) : `(${typeof value})`
}

function describeRef(ref: unknown): string {
  const fields = isPlainObject(ref) ? ref : {}
  const source = fields['source']
  return `provider ${quoteField(fields['provider'])}, source ${typeof source === 'string' ? quoteField(source) : '(missing)'}, id ${quoteField(fields['id'])}`
}

function refError(ref: unknown, failure: Failure): AuthProfilesError {
  const { cause, path } = failure.details
  return new AuthProfilesError(
    'ERR_SECRET_REF',
    `Could not resolve secret ref (${describeRef(ref)}): ${failure.reason}.`,
    { ...(cause === undefined ? {} : { cause }), ...(path === undefined ? {} : { path }) },
  )
}

function abortFailure(signal: AbortSignal): Failure {
  const reason: unknown = signal.reason
  return new Failure('the operation was aborted', reason === undefined ? {} : { cause: reason })
}

function lookupProvider(
  alias: string,
  secrets: SecretsConfig | undefined,
): SecretProviderConfig | undefined {
  const providers = secrets?.providers
  if (isPlainObject(providers) && Object.hasOwn(providers, alias)) return providers[alias]
  return alias === DEFAULT_SECRET_PROVIDER ? { source: 'env' } : undefined
}

/** A provider limit: a whole number from 1 to `max`, or `fallback` when unset. */
function limit(value: unknown, fallback: number, field: string, max: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= max) {
    return value
  }
  throw new Failure(`the provider's ${field} must be a whole number from 1 to ${max}`)
}

/** Trims a resolved value; an empty value counts as unresolved. */
function nonEmpty(value: string, what: string): string {
  const trimmed = value.trim()
  if (trimmed === '') throw new Failure(`${what} is empty`)
  return trimmed
}

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

// ---------------------------------------------------------------------------------------------
// env

function resolveEnvRef(id: string, config: EnvProviderConfig, env: Env): string {
  const allowlist: unknown = config.allowlist
  if (allowlist !== undefined && !(Array.isArray(allowlist) && allowlist.includes(id))) {
    throw new Failure(`environment variable ${id} is not in the provider's allowlist`)
  }
  const value = env[id]
  if (value === undefined) throw new Failure(`environment variable ${id} is not set`)
  return nonEmpty(value, `environment variable ${id}`)
}

// ---------------------------------------------------------------------------------------------
// file

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

function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
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

function parseJson(text: string): { ok: true; document: unknown } | { ok: false } {
  try {
    return { ok: true, document: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

// ---------------------------------------------------------------------------------------------
// exec

/**
 * Checks the command before it is run: absolute, not a symlink, a regular executable file, and
 * (unless the provider sets `allowInsecurePermissions`) trusted like OpenSSH's StrictModes: owned
 * by the current user or root and not writable by group or others, nor any directory above it.
 */
async function checkCommand(command: unknown, allowInsecure: boolean): Promise<string> {
  if (typeof command !== 'string' || !isAbsolute(command)) {
    throw new Failure("the provider's command must be an absolute path")
  }
  let stats: Stats
  try {
    stats = await lstat(command)
  } catch (error) {
    const code = errnoCode(error)
    throw new Failure(
      code === 'ENOENT'
        ? `command ${command} does not exist`
        : `command ${command} could not be inspected (${code})`,
      { cause: error },
    )
  }
  if (stats.isSymbolicLink()) {
    throw new Failure(
      `command ${command} is a symbolic link; claw does not follow links for secret commands, point the provider at the real file`,
    )
  }
  if (!stats.isFile()) throw new Failure(`command ${command} is not a regular file`)
  try {
    await access(command, constants.X_OK)
  } catch {
    throw new Failure(`command ${command} is not executable`)
  }
  if (!allowInsecure) {
    const untrusted = await strictModesProblem(command, stats)
    if (untrusted !== undefined) {
      throw new Failure(
        `the command is not trusted: ${untrusted} (set allowInsecurePermissions: true on the provider to run it anyway)`,
      )
    }
  }
  return command
}

/**
 * Why claw will not run this exec provider's command (the checks `resolveSecretRef` makes before
 * running it: absolute path, no symlink, a regular executable file, StrictModes owner and mode
 * unless `allowInsecurePermissions`), or `undefined` when it would run it. For `claw doctor`.
 *
 * @public
 */
export async function checkSecretExecCommand(
  config: Extract<SecretProviderConfig, { source: 'exec' }>,
): Promise<string | undefined> {
  try {
    await checkCommand(config.command, config.allowInsecurePermissions === true)
    return undefined
  } catch (error) {
    return asFailure(error).reason
  }
}

/** The command's environment: `PATH`, the `passEnv` variables, then the provider's `env`. */
function commandEnv(config: ExecProviderConfig, parentEnv: Env): Record<string, string> {
  const env: Record<string, string> = {}
  const names = ['PATH', ...(Array.isArray(config.passEnv) ? config.passEnv : [])]
  for (const name of names) {
    const value = parentEnv[name]
    if (typeof name === 'string' && value !== undefined) env[name] = value
  }
  if (isPlainObject(config.env)) {
    for (const [name, value] of Object.entries(config.env)) {
      if (typeof value === 'string') env[name] = value
    }
  }
  return env
}

/** SIGKILLs the child's process group (it leads one: spawned detached), then the child itself. */
function killTree(child: ChildProcess): void {
  if (child.pid !== undefined) killProcessGroup(child.pid)
  try {
    child.kill('SIGKILL')
  } catch {
    // Already exited.
  }
}

/** Runs the command once; resolves with its stdout when it exits 0 within the limits. */
async function runCommand(
  command: string,
  config: ExecProviderConfig,
  request: string,
  parentEnv: Env,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const timeoutMs = limit(
    config.timeoutMs,
    DEFAULT_SECRET_TIMEOUT_MS,
    'timeoutMs',
    MAX_SECRET_TIMEOUT_MS,
  )
  const maxOutputBytes = limit(
    config.maxOutputBytes,
    DEFAULT_SECRET_MAX_BYTES,
    'maxOutputBytes',
    MAX_SECRET_MAX_BYTES,
  )
  const args = Array.isArray(config.args) ? config.args.map(String) : []
  if (signal?.aborted) throw abortFailure(signal)
  // node:child_process is loaded on first use (only exec SecretRefs need it).
  const { spawn } = await import('node:child_process')

  return new Promise<Buffer>((resolve, reject) => {
    let child: ChildProcess
    try {
      child = spawn(command, args, {
        shell: false,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: commandEnv(config, parentEnv),
        windowsHide: true,
      })
    } catch (error) {
      reject(new Failure(`command ${command} could not be started (${errnoCode(error)})`))
      return
    }

    const chunks: Buffer[] = []
    let outputBytes = 0
    let failure: Failure | undefined
    let settled = false
    let graceTimer: NodeJS.Timeout | undefined
    const wipe = (): void => {
      for (const chunk of chunks) chunk.fill(0)
      chunks.length = 0
    }
    const settle = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(graceTimer)
      signal?.removeEventListener('abort', onAbort)
      // Stop listening: a background process the command left behind may hold these pipes open,
      // and neither it nor a child that ignores SIGKILL may keep the caller waiting.
      child.stdout?.destroy()
      child.stderr?.destroy()
      child.stdin?.destroy()
      child.unref()
      if (failure) {
        wipe()
        reject(failure)
      } else {
        const output = Buffer.concat(chunks)
        wipe()
        resolve(output)
      }
    }
    /** Kills the process group and rejects once the child has exited (or after a grace period). */
    const terminate = (reason: Failure): void => {
      if (settled || failure) return
      failure = reason
      wipe()
      killTree(child)
      if (child.exitCode !== null || child.signalCode !== null) settle()
      else graceTimer = setTimeout(settle, KILL_GRACE_MS)
    }
    const onAbort = (): void => terminate(abortFailure(signal as AbortSignal))
    const timer = setTimeout(
      () =>
        terminate(new Failure(`the command did not finish within ${timeoutMs} ms and was killed`)),
      timeoutMs,
    )
    signal?.addEventListener('abort', onAbort, { once: true })

    const exitFailure = (code: number | null, exitSignal: NodeJS.Signals | null): Failure =>
      new Failure(
        code === null
          ? `the command was terminated by ${exitSignal ?? 'a signal'}`
          : `the command exited with code ${code}`,
      )
    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES, …). No cause: the error carries the command's arguments.
      failure ??= new Failure(`command ${command} could not be started (${errnoCode(error)})`)
      killTree(child)
      settle()
    })
    child.on('exit', (code, exitSignal) => {
      if (failure) return settle()
      if (code !== 0) {
        failure = exitFailure(code, exitSignal)
        return settle()
      }
      // It replied and exited 0: what it wrote is in the pipe, read on the next turns of the event
      // loop. End-of-file normally follows at once ('close'); a background process it left may hold
      // the pipe open, so the wait for it is short and the exit counts as the answer.
      clearTimeout(timer)
      graceTimer = setTimeout(settle, EXIT_DRAIN_MS)
    })
    child.on('close', (code, exitSignal) => {
      if (!failure && code !== 0) failure = exitFailure(code, exitSignal)
      settle()
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      if (failure) return
      outputBytes += chunk.length
      if (outputBytes > maxOutputBytes) {
        chunk.fill(0)
        terminate(
          new Failure(
            `the command wrote more than the provider's ${maxOutputBytes}-byte output limit and was killed`,
          ),
        )
        return
      }
      chunks.push(chunk)
    })
    child.stdout?.on('error', () => undefined)
    // stderr is drained and dropped: it may contain secrets, and the library never prints.
    child.stderr?.on('data', () => undefined)
    child.stderr?.on('error', () => undefined)
    // A command that exits without reading its request makes this write fail with EPIPE.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(request)
  })
}

/** One answer per id of an exec call: the value, or why there is none. */
type ExecAnswers = Map<string, string | Failure>

/** Interprets the command's stdout (already checked for size and exit status). */
function parseExecReply(output: Buffer, ids: readonly string[], jsonOnly: boolean): ExecAnswers {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(output)
  } catch {
    throw new Failure("the command's output is not valid UTF-8")
  } finally {
    output.fill(0)
  }
  const parsed = parseJson(text)
  const isProtocolReply =
    parsed.ok && isPlainObject(parsed.document) && Object.hasOwn(parsed.document, 'protocolVersion')
  const answers: ExecAnswers = new Map()
  if (!jsonOnly && ids.length === 1 && !isProtocolReply) {
    const [id] = ids as [string]
    try {
      answers.set(id, nonEmpty(text, "the command's output"))
    } catch (error) {
      answers.set(id, asFailure(error))
    }
    return answers
  }
  // The parse error is dropped on purpose: V8's messages quote the input.
  if (!parsed.ok) throw new Failure("the command's reply is not valid JSON")
  const reply = parsed.document
  if (!isPlainObject(reply)) throw new Failure("the command's reply is not a JSON object")
  if (reply['protocolVersion'] !== SECRET_EXEC_PROTOCOL_VERSION) {
    throw new Failure(
      `the command's reply does not have protocolVersion ${SECRET_EXEC_PROTOCOL_VERSION}`,
    )
  }
  const values = reply['values'] ?? {}
  const errors = reply['errors'] ?? {}
  if (!isPlainObject(values))
    throw new Failure('the "values" of the command\'s reply is not an object')
  if (!isPlainObject(errors))
    throw new Failure('the "errors" of the command\'s reply is not an object')
  for (const id of ids) {
    if (Object.hasOwn(errors, id)) {
      answers.set(id, new Failure('the command reported an error for this id'))
    } else if (!Object.hasOwn(values, id)) {
      answers.set(id, new Failure("the command's reply has no value for this id"))
    } else {
      const value = values[id]
      if (typeof value !== 'string') {
        answers.set(
          id,
          new Failure(`the command's value for this id is ${jsonKind(value)}, not a string`),
        )
      } else {
        try {
          answers.set(id, nonEmpty(value, "the command's value for this id"))
        } catch (error) {
          answers.set(id, asFailure(error))
        }
      }
    }
  }
  return answers
}

/** Asks the command for `ids` in one call (the JSON protocol). */
async function execIds(
  alias: string,
  config: ExecProviderConfig,
  ids: readonly string[],
  parentEnv: Env,
  signal: AbortSignal | undefined,
): Promise<ExecAnswers> {
  const command = await checkCommand(config.command, config.allowInsecurePermissions === true)
  const request = `${JSON.stringify({ protocolVersion: SECRET_EXEC_PROTOCOL_VERSION, provider: alias, ids })}\n`
  const output = await runCommand(command, config, request, parentEnv, signal)
  return parseExecReply(output, ids, config.jsonOnly !== false)
}

// ---------------------------------------------------------------------------------------------
// resolution

interface Pending {
  readonly ref: SecretRef
  readonly key: string
}

type Outcome = { readonly value: string } | { readonly failure: Failure }

function settleAll(pendings: readonly Pending[], failure: Failure): Map<string, Outcome> {
  return new Map(pendings.map((pending) => [pending.key, { failure }]))
}

/** Resolves every ref of one provider alias; never rejects. */
async function resolveProviderGroup(
  alias: string,
  pendings: readonly Pending[],
  options: ResolveSecretRefOptions,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>()
  const { signal } = options
  if (signal?.aborted) return settleAll(pendings, abortFailure(signal))
  const config = lookupProvider(alias, options.secrets)
  if (!isPlainObject(config)) {
    return settleAll(
      pendings,
      new Failure(
        `no secret provider "${alias}" is configured (declare it under secrets.providers.${alias})`,
      ),
    )
  }
  const accepted: Pending[] = []
  for (const pending of pendings) {
    if (pending.ref.source === config.source) accepted.push(pending)
    else {
      outcomes.set(pending.key, {
        failure: new Failure(
          `provider "${alias}" is a ${String(config.source)} provider, but the ref's source is ${pending.ref.source}`,
        ),
      })
    }
  }
  if (accepted.length === 0) return outcomes
  try {
    switch (config.source) {
      case 'env':
        resolveEnvGroup(config, accepted, resolveEnv(options), outcomes)
        break
      case 'file':
        await resolveFileGroup(config, accepted, signal, outcomes)
        break
      case 'exec':
        await resolveExecGroup(alias, config, accepted, resolveEnv(options), signal, outcomes)
        break
      default:
        throw new Failure(`provider "${alias}" has an unsupported source`)
    }
  } catch (error) {
    const failure = asFailure(error)
    for (const pending of accepted) {
      if (!outcomes.has(pending.key)) outcomes.set(pending.key, { failure })
    }
  }
  return outcomes
}

function resolveEnvGroup(
  config: EnvProviderConfig,
  pendings: readonly Pending[],
  env: Env,
  outcomes: Map<string, Outcome>,
): void {
  for (const { ref, key } of pendings) {
    try {
      outcomes.set(key, { value: resolveEnvRef(ref.id, config, env) })
    } catch (error) {
      outcomes.set(key, { failure: asFailure(error) })
    }
  }
}

/** Reads the file once for all refs of the provider, then looks each id up. */
async function resolveFileGroup(
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

/**
 * One command call for all ids of a `jsonOnly` provider. A provider with `jsonOnly: false` may
 * answer in plain text, which only works for a single id, so it is called once per id.
 */
async function resolveExecGroup(
  alias: string,
  config: ExecProviderConfig,
  pendings: readonly Pending[],
  env: Env,
  signal: AbortSignal | undefined,
  outcomes: Map<string, Outcome>,
): Promise<void> {
  const ids = [...new Set(pendings.map((pending) => pending.ref.id))]
  const batches = config.jsonOnly === false ? ids.map((id) => [id]) : [ids]
  const answers: ExecAnswers = new Map()
  for (const batch of batches) {
    try {
      for (const [id, answer] of await execIds(alias, config, batch, env, signal)) {
        answers.set(id, answer)
      }
    } catch (error) {
      for (const id of batch) answers.set(id, asFailure(error))
    }
  }
  for (const { ref, key } of pendings) {
    const answer =
      answers.get(ref.id) ?? new Failure("the command's reply has no value for this id")
    outcomes.set(key, typeof answer === 'string' ? { value: answer } : { failure: answer })
  }
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await task(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Resolves many refs at once. Refs are grouped by provider alias and at most
 * `SECRET_PROVIDER_CONCURRENCY` (4) providers are worked on at the same time. The refs of one exec
 * provider are answered by ONE command call carrying all their ids (providers with
 * `jsonOnly: false` are called once per id, because a plain-text reply answers a single id); a
 * file provider's file is read once. Partial failures do not throw: each distinct ref, keyed by
 * `secretRefKey(ref)`, ends up in `values` or in `errors`.
 *
 * @public
 */
export async function resolveSecretRefs(
  refs: readonly SecretRef[],
  options: ResolveSecretRefOptions = {},
): Promise<ResolveSecretRefsResult> {
  const values = new Map<string, string>()
  const errors = new Map<string, AuthProfilesError>()
  const groups = new Map<string, Pending[]>()
  const refsByKey = new Map<string, SecretRef>()
  for (const ref of refs) {
    const key = keyOf(ref)
    if (refsByKey.has(key)) continue
    refsByKey.set(key, ref)
    const invalid = validateSecretRef(ref)
    if (invalid !== undefined) {
      errors.set(key, refError(ref, new Failure(`the ref is invalid: ${invalid}`)))
      continue
    }
    const group = groups.get(ref.provider)
    if (group) group.push({ ref, key })
    else groups.set(ref.provider, [{ ref, key }])
  }
  await forEachLimited([...groups], SECRET_PROVIDER_CONCURRENCY, async ([alias, pendings]) => {
    const outcomes = await resolveProviderGroup(alias, pendings, options)
    for (const { ref, key } of pendings) {
      const outcome = outcomes.get(key) ?? { failure: new Failure('the ref was not resolved') }
      if ('value' in outcome) values.set(key, outcome.value)
      else errors.set(key, refError(ref, outcome.failure))
    }
  })
  return { values, errors }
}

/**
 * Resolves one SecretRef to its secret value, trimmed (an empty value counts as unresolved).
 *
 * - `env`: the variable `id` of `options.env`, if the provider's `allowlist` (when set) names it.
 * - `file`: the file at the provider's absolute `path`, which must be a regular file of at most
 *   `maxBytes`, owned by the current user and not accessible to group or others (mode 0600, like
 *   OpenSSH's checks); `id` is a JSON pointer to a string (`json` mode) or `value` (`singleValue`:
 *   the whole file). The type, size and permissions are checked before anything is read.
 * - `exec`: the provider's absolute, non-symlink, executable `command` — owned by the current
 *   user or root and not writable by group or others, nor any directory above it (OpenSSH's
 *   StrictModes), unless the provider sets `allowInsecurePermissions` — run without a shell and
 *   with only `PATH`, the `passEnv` variables and the provider's `env`. It receives
 *   `{"protocolVersion":1,"provider":"<alias>","ids":["<id>"]}` on stdin and answers
 *   `{"protocolVersion":1,"values":{"<id>":"…"},"errors"?:{…}}` on stdout; with `jsonOnly: false`
 *   a plain-text stdout is the value. A command that runs past `timeoutMs` (at most 10 minutes),
 *   writes more than `maxOutputBytes` (at most 16 MiB) or is aborted is killed with its process
 *   group. Once it exited 0, its stdout gets at most 250 ms to end: a background process it left
 *   holding the pipe open neither turns the reply into a failure nor keeps the caller waiting.
 *
 * @throws `AuthProfilesError` with code `ERR_SECRET_REF`, whose message names the provider alias,
 *   source and id and the reason, never the value.
 * @public
 */
export async function resolveSecretRef(
  ref: SecretRef,
  options: ResolveSecretRefOptions = {},
): Promise<string> {
  const key = keyOf(ref)
  const { values, errors } = await resolveSecretRefs([ref], options)
  const value = values.get(key)
  if (value !== undefined) return value
  throw errors.get(key) ?? refError(ref, new Failure('the ref was not resolved'))
}
