/**
 * Public key prefixes that `maskSecret` may show. They identify the kind of credential and carry
 * no secret material. Kept longest-first so the most specific prefix wins.
 */
const KNOWN_SECRET_PREFIXES: readonly string[] = Object.freeze(
  [
    'sk-ant-oat01-',
    'sk-ant-ort01-',
    'sk-ant-api03-',
    'sk-ant-',
    'sk-proj-',
    'sk-or-v1-',
    'sk-svcacct-',
    'sk-',
    'github_pat_',
    'ghp_',
    'gho_',
    'ghu_',
    'ghs_',
    'gsk_',
    'xai-',
    'AIza',
    'hf_',
    'pplx-',
    'csk-',
    'r8_',
  ].sort((a, b) => b.length - a.length),
)

/** How many characters must stay hidden (after the prefix) before the last 4 may be shown. */
const MIN_HIDDEN_FOR_SUFFIX = 12
const SUFFIX_LENGTH = 4
const ELLIPSIS = '…'
const MISSING = 'missing'
/** Secrets shorter than this are not searched for by `maskSecretsInText` (too many false hits). */
const MIN_TEXT_SECRET_LENGTH = 6

/** @public */
export interface MaskSecretOptions {
  /**
   * Return the value unchanged. Only for an explicit user request such as `--reveal`; a missing
   * value is still reported as `missing`.
   */
  readonly reveal?: boolean
}

/**
 * Masks a secret for display. Shows at most a known public prefix (`sk-ant-oat01-`, `sk-proj-`,
 * `ghp_`, `AIza`, …) and the last 4 characters, and the last 4 only when at least 12 characters
 * stay hidden after the prefix, so at most a quarter of an unknown secret is ever shown.
 * Surrounding whitespace is ignored; characters are counted as code points, so a surrogate pair is
 * never split. Empty, whitespace-only, `undefined` and `null` give `missing`.
 *
 * Deliberately stricter than OpenClaw's first-8/last-8 masking, which showed half of a short key.
 *
 * @example
 * ```ts
 * maskSecret('sk-ant-oat01-abcdefghijklmnopWx9z') // 'sk-ant-oat01-…Wx9z'
 * maskSecret('0123456789') // '…'
 * maskSecret(undefined) // 'missing'
 * ```
 * @public
 */
export function maskSecret(
  value: string | undefined | null,
  options: MaskSecretOptions = {},
): string {
  if (typeof value !== 'string' || value.trim() === '') return MISSING
  if (options.reveal === true) return value
  const trimmed = value.trim()
  const prefix = KNOWN_SECRET_PREFIXES.find((candidate) => trimmed.startsWith(candidate)) ?? ''
  const rest = [...trimmed.slice(prefix.length)]
  if (rest.length - SUFFIX_LENGTH >= MIN_HIDDEN_FOR_SUFFIX) {
    return `${prefix}${ELLIPSIS}${rest.slice(-SUFFIX_LENGTH).join('')}`
  }
  return `${prefix}${ELLIPSIS}`
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * A run of key characters this long that is part of a secret is a truncated echo of it (a
 * provider that repeats the first 20 characters, a message cut at 300): masked too.
 */
const MIN_FRAGMENT_LENGTH = 12
/** Shared by every masker: only used synchronously, `lastIndex` reset before each scan. */
const KEY_RUN_PATTERN = new RegExp(`[A-Za-z0-9_-]{${MIN_FRAGMENT_LENGTH},}`, 'g')

/**
 * A compiled {@link maskSecretsInText} for a fixed list of secrets, for text that is masked over
 * and over (every line a command prints, every error of a failover run).
 *
 * @public
 */
export interface SecretMasker {
  /** `text` with the secrets masked, exactly as {@link maskSecretsInText} does. */
  mask(text: string): string
  /** Whether `text` shows one of the secrets (whether `mask` would change it). */
  shows(text: string): boolean
}

const NO_SECRETS: SecretMasker = Object.freeze({
  mask: (text: string) => text,
  shows: () => false,
})

/**
 * Compiles `secrets` for {@link maskSecretsInText}: same rules, compiled once.
 *
 * @example
 * ```ts
 * const masker = createSecretMasker([apiKey])
 * logLine(masker.mask(message))
 * ```
 * @public
 */
export function createSecretMasker(secrets: readonly string[]): SecretMasker {
  const unique = [
    ...new Set(
      secrets
        .filter((secret): secret is string => typeof secret === 'string')
        .map((secret) => secret.trim())
        .filter((secret) => secret.length >= MIN_TEXT_SECRET_LENGTH),
    ),
  ].sort((a, b) => b.length - a.length)
  if (unique.length === 0) return NO_SECRETS
  const lowered = unique.map((secret) => secret.toLowerCase())
  const isFragment = (run: string): boolean => {
    const candidate = run.toLowerCase()
    return lowered.some((secret) => secret.includes(candidate))
  }
  // Compiled on the first text that shows a secret: most texts show none (failover bench row
  // "429 then success").
  let pattern: RegExp | undefined
  const shows = (text: string): boolean => {
    const lower = text.toLowerCase()
    if (lowered.some((secret) => lower.includes(secret))) return true
    KEY_RUN_PATTERN.lastIndex = 0
    for (
      let match = KEY_RUN_PATTERN.exec(text);
      match !== null;
      match = KEY_RUN_PATTERN.exec(text)
    ) {
      if (isFragment(match[0])) return true
    }
    return false
  }
  return {
    shows,
    mask(text) {
      if (!shows(text)) return text
      pattern ??= new RegExp(unique.map(escapeRegExp).join('|'), 'gi')
      return text
        .replace(pattern, (match) => maskSecret(match))
        .replace(KEY_RUN_PATTERN, (run) => (isFragment(run) ? maskSecret(run) : run))
    },
  }
}

/**
 * Replaces every occurrence of each given secret in `text` with its {@link maskSecret} form.
 * Secrets are trimmed; those shorter than 6 characters are skipped (they would match ordinary
 * words). The text is scanned once, preferring the longest secret at each position, so a secret
 * that contains another one is masked as a whole and masks are never masked again. Matching
 * ignores case (an id normalised to lower case still shows the secret), and a run of 12 or more
 * of `[A-Za-z0-9_-]` that is part of a secret (a truncated echo) is masked as well. For many
 * texts and the same secrets, {@link createSecretMasker} compiles them once.
 *
 * @example
 * ```ts
 * maskSecretsInText('auth failed for sk-proj-abcdefghijklmnopqrst', ['sk-proj-abcdefghijklmnopqrst'])
 * // 'auth failed for sk-proj-…qrst'
 * ```
 * @public
 */
export function maskSecretsInText(text: string, secrets: readonly string[]): string {
  if (text === '') return text
  return createSecretMasker(secrets).mask(text)
}

/** Parameter names that hold secrets: anything ending in key, token, secret or password. */
const SECRET_PARAM_PATTERN =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:key|token|secret|password))=([^\s&#"'<>,;)]+)/gi
/** The same names as JSON members: `"refresh_token": "…"`. */
const SECRET_JSON_MEMBER_PATTERN =
  /("[A-Za-z0-9_.-]*(?:key|token|secret|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi
/** API-key request headers echoed back in error messages. */
const SECRET_HEADER_PATTERN = /\b((?:x-goog-api-key|x-api-key|api-key)\s*:\s*)[^\s,;"']+/gi
const BEARER_PATTERN = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi
const SK_TOKEN_PATTERN = /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{8,}/g
/**
 * Other well-known key prefixes. They need 16+ characters after the prefix so that ordinary words
 * and model ids are left alone.
 */
const OTHER_TOKEN_PATTERN =
  /(?<![A-Za-z0-9])(github_pat_|ghp_|gho_|ghu_|ghs_|gsk_|xai-|AIza|hf_|pplx-|csk-|r8_)[A-Za-z0-9_-]{16,}/g

/**
 * Redacts secret-looking fragments from free text such as a provider's error message, without
 * knowing the secrets themselves:
 *
 * - `key=…`, `token=…`, `secret=…`, `password=…` query or form parameters (any name ending in
 *   one of those words, e.g. `api_key`, `refresh_token`) → `key=***`;
 * - the same names as JSON members (`"access_token": "…"`) → `"access_token": "***"`;
 * - `x-api-key:` / `api-key:` / `x-goog-api-key:` headers → `x-api-key: ***`;
 * - `Bearer <token>` → `Bearer ***`;
 * - `sk-…` tokens (`sk-` plus 8 or more of `[A-Za-z0-9_-]`) → `sk-***`;
 * - other known key prefixes (`ghp_`, `github_pat_`, `AIza`, `gsk_`, `xai-`, `hf_`, …) followed by
 *   16 or more such characters → `ghp_***` etc.
 *
 * Use {@link maskSecretsInText} as well when the secrets are known.
 *
 * @example
 * ```ts
 * redactSecretsInText('GET /v1?key=AIzaXYZ failed: Bearer abc.def') // 'GET /v1?key=*** failed: Bearer ***'
 * ```
 * @public
 */
export function redactSecretsInText(text: string): string {
  return text
    .replace(SECRET_JSON_MEMBER_PATTERN, '$1"***"')
    .replace(SECRET_PARAM_PATTERN, '$1=***')
    .replace(SECRET_HEADER_PATTERN, '$1***')
    .replace(BEARER_PATTERN, '$1 ***')
    .replace(SK_TOKEN_PATTERN, 'sk-***')
    .replace(OTHER_TOKEN_PATTERN, '$1***')
}
