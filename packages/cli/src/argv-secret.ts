// Secrets on the command line: recognising a token that looks like a key so an error message
// never repeats it, and warning when a flag that takes a secret is used (argv is visible to other
// users and lands in shell history).
import { maskSecret } from '@claw/auth-profiles'
import type { CliIo } from './io.js'

const SECRET_SHAPES = [
  /^sk-[A-Za-z0-9_-]{8,}/, // OpenAI, Anthropic (sk-ant-…), DeepSeek, …
  /^(gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}/,
  /^AIza[0-9A-Za-z_-]{20,}/, // Google API keys
  /^xai-[A-Za-z0-9]{8,}/,
  /^gsk_[A-Za-z0-9]{8,}/, // Groq
  /^(eyJ)[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/, // JWTs (OAuth access tokens)
]

/** True when a command-line token looks like an API key or token. */
export function looksLikeSecret(token: string): boolean {
  const value = token.includes('=') ? token.slice(token.indexOf('=') + 1) : token
  if (SECRET_SHAPES.some((shape) => shape.test(value))) return true
  // Long tokens mixing letters and digits with no spaces or path separators.
  return (
    value.length >= 32 &&
    /^[A-Za-z0-9_\-.]+$/.test(value) &&
    /\d/.test(value) &&
    /[A-Za-z]/.test(value)
  )
}

/** A token for an error message: masked when it looks like a secret. */
export function maskArgvSecret(token: string): string {
  if (!looksLikeSecret(token)) return token
  const eq = token.indexOf('=')
  return eq >= 0 ? `${token.slice(0, eq + 1)}${maskSecret(token.slice(eq + 1))}` : maskSecret(token)
}

/** Warns (on stderr) about secrets passed on the command line, without printing them. */
export function warnArgvSecret(io: CliIo, flagName: string): void {
  io.stderr.write(
    `Warning: ${flagName} puts a secret on the command line, where other users and shell history can see it. ` +
      `Prefer ${flagName}-stdin (or paste it at the prompt).\n`,
  )
}
