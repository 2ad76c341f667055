// Secrets on the command line: recognising an argument that looks like a key, so that nothing
// claw prints repeats it (a key typed where a provider, model, profile or duration belongs ends
// up in error messages otherwise), and warning when a flag that takes a secret is used (argv is
// visible to other users and lands in shell history).
import { createSecretMasker, type SecretMasker } from '@claw/auth-profiles'
import type { CliIo, OutputStream } from './io.js'

const SECRET_SHAPES = [
  /^sk-[A-Za-z0-9_-]{8,}/, // OpenAI, Anthropic (sk-ant-…), DeepSeek, …
  /^(gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}/,
  /^AIza[0-9A-Za-z_-]{20,}/, // Google API keys
  /^xai-[A-Za-z0-9]{8,}/,
  /^gsk_[A-Za-z0-9]{8,}/, // Groq
  /^(hf_|pplx-|csk-|r8_)[A-Za-z0-9]{16,}/, // Hugging Face, Perplexity, Cerebras, Replicate
  /^(AKIA|ASIA)[A-Z0-9]{16}$/, // AWS access key ids
  /^(eyJ)[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/, // JWTs (OAuth access tokens)
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // UUID-shaped keys
]

/**
 * A run of 16 or more letters and digits, mixing both: random key material (`plain-<hex>`, bare
 * hex, base62 tokens). Model ids, dates and words split into shorter pieces
 * (`claude-3-7-sonnet-20250219`).
 */
const KEY_MATERIAL = /[A-Za-z0-9]{16,}/g

function hasKeyMaterial(value: string): boolean {
  for (const run of value.match(KEY_MATERIAL) ?? []) {
    if (/\d/.test(run) && /[A-Za-z]/.test(run)) return true
  }
  return false
}

/** True when a command-line value looks like an API key or token. */
export function looksLikeSecret(token: string): boolean {
  const value = token.includes('=') ? token.slice(token.indexOf('=') + 1) : token
  if (SECRET_SHAPES.some((shape) => shape.test(value))) return true
  return /^[A-Za-z0-9_\-.+/=]+$/.test(value) && hasKeyMaterial(value)
}

/**
 * The values on a command line that look like secrets: each argument (the part after `=` of
 * `--flag=value`) and each piece of it between `=`, `,`, `/`, `:` and `@` (a key typed as the
 * provider of `<key>/model`, or as the profile of `--simulate <key>=auth`).
 */
export function argvSecrets(argv: readonly string[]): string[] {
  const found = new Set<string>()
  for (const argument of argv) {
    const value =
      argument.startsWith('-') && argument.includes('=')
        ? argument.slice(argument.indexOf('=') + 1)
        : argument
    // A key typed as a flag (`--AKIA…`) is a secret without its dashes.
    const bare = value.replace(/^-+/, '')
    for (const piece of [value, bare, ...bare.split(/[=,/:@\s]+/)]) {
      if (piece !== '' && looksLikeSecret(piece)) found.add(piece)
    }
  }
  return [...found]
}

function maskedStream(stream: OutputStream, masker: SecretMasker): OutputStream {
  return {
    write: (chunk: string) => stream.write(masker.mask(chunk)),
    isTTY: stream.isTTY,
  }
}

/**
 * `io` with every value of `argv` that looks like a secret masked in all it writes (stdout and
 * stderr: messages, warnings, `--json` documents, `--debug` stacks), so a key typed in the wrong
 * place is never printed back, whatever path reports it. `io` itself when there is none.
 */
export function maskArgvSecretsInOutput(io: CliIo, argv: readonly string[]): CliIo {
  const secrets = argvSecrets(argv)
  if (secrets.length === 0) return io
  const masker = createSecretMasker(secrets)
  return {
    ...io,
    stdout: maskedStream(io.stdout, masker),
    stderr: maskedStream(io.stderr, masker),
  }
}

/** Warns (on stderr) about secrets passed on the command line, without printing them. */
export function warnArgvSecret(io: CliIo, flagName: string): void {
  io.stderr.write(
    `Warning: ${flagName} puts a secret on the command line, where other users and shell history can see it. ` +
      `Prefer ${flagName}-stdin (or paste it at the prompt).\n`,
  )
}
