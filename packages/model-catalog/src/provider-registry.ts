/**
 * How a provider's HTTP API is spoken. Open-ended: user config may name any string.
 *
 * @public
 */
export type KnownModelApi =
  | 'openai-completions'
  | 'openai-responses'
  | 'openai-codex-responses'
  | 'azure-openai-responses'
  | 'anthropic-messages'
  | 'google-generative-ai'
  | 'google-gemini-cli'
  | 'google-vertex'
  | 'github-copilot'
  | 'bedrock-converse-stream'
  | 'mistral-conversations'

/** @public */
export type ModelApi = KnownModelApi | (string & {})

/**
 * Ways a provider accepts credentials. `aws-sdk` and `gcloud-adc` are ambient credentials
 * resolved by the vendor's own credential chain rather than by a stored secret.
 *
 * @public
 */
export type ProviderAuthMode = 'api-key' | 'token' | 'oauth' | 'aws-sdk' | 'gcloud-adc'

/**
 * An environment variable that can hold a provider credential. `kind: 'oauth-token'` marks a
 * long-lived OAuth token (for example `ANTHROPIC_OAUTH_TOKEN`), which is sent as a bearer token.
 *
 * @public
 */
export interface ProviderEnvVar {
  readonly name: string
  readonly kind: 'api-key' | 'oauth-token'
}

/**
 * Everything claw knows about a model provider, as plain data.
 *
 * @public
 */
export interface ProviderInfo {
  /** Canonical, normalised provider id, e.g. `anthropic`, `qwen-portal`. */
  readonly id: string
  /** Other spellings that normalise to `id` (matched after trimming and lowercasing). */
  readonly aliases: readonly string[]
  readonly displayName: string
  /** Credential env vars in precedence order: the first non-empty one wins. */
  readonly envVars: readonly ProviderEnvVar[]
  /** Env vars that signal ambient credentials (`aws-sdk`, `gcloud-adc`); they hold no API key. */
  readonly ambientEnvVars: readonly string[]
  readonly api: ModelApi
  /** Default base URL; `{location}` placeholders are filled by the caller. */
  readonly baseUrl: string
  readonly authModes: readonly ProviderAuthMode[]
  /** Aggregators such as OpenRouter route around their own upstream limits: never cool down. */
  readonly cooldownBypass: boolean
  /** A local server (no credential needed by default). */
  readonly local: boolean
  /**
   * Env var stem for key rotation lists (`<BASE>_API_KEYS`, `<BASE>_API_KEY_*`) when it differs
   * from the upper-cased id, and extra fallback variables tried last.
   */
  readonly keyRotation?: { readonly envBase: string; readonly fallbackEnvVars: readonly string[] }
  /** Static headers the provider expects on every request. */
  readonly headers?: Readonly<Record<string, string>>
}

type ProviderSpec = Omit<
  ProviderInfo,
  'aliases' | 'envVars' | 'ambientEnvVars' | 'cooldownBypass' | 'local'
> & {
  aliases?: readonly string[]
  env?: readonly string[]
  ambientEnvVars?: readonly string[]
  cooldownBypass?: boolean
  local?: boolean
}

function provider(spec: ProviderSpec): ProviderInfo {
  const { env = [], ...rest } = spec
  return Object.freeze({
    ...rest,
    aliases: Object.freeze([...(spec.aliases ?? [])]),
    envVars: Object.freeze(
      env.map((name) =>
        Object.freeze({ name, kind: name.includes('OAUTH_TOKEN') ? 'oauth-token' : 'api-key' }),
      ),
    ),
    ambientEnvVars: Object.freeze([...(spec.ambientEnvVars ?? [])]),
    cooldownBypass: spec.cooldownBypass ?? false,
    local: spec.local ?? false,
  } satisfies ProviderInfo)
}

const googleKeyRotation = { envBase: 'GEMINI', fallbackEnvVars: ['GOOGLE_API_KEY'] } as const

/**
 * The providers claw knows how to authenticate, in OpenClaw's order. Env var precedence follows
 * OpenClaw's, so a machine set up for it resolves the same key.
 */
export const PROVIDER_REGISTRY: readonly ProviderInfo[] = Object.freeze([
  provider({
    id: 'anthropic',
    displayName: 'Anthropic',
    env: ['ANTHROPIC_OAUTH_TOKEN', 'ANTHROPIC_API_KEY'],
    api: 'anthropic-messages',
    baseUrl: 'https://api.anthropic.com',
    authModes: ['api-key', 'token', 'oauth'],
  }),
  provider({
    id: 'openai',
    displayName: 'OpenAI',
    env: ['OPENAI_API_KEY'],
    api: 'openai-responses',
    baseUrl: 'https://api.openai.com/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'openai-codex',
    displayName: 'OpenAI Codex (ChatGPT OAuth)',
    api: 'openai-codex-responses',
    baseUrl: 'https://chatgpt.com/backend-api',
    authModes: ['oauth'],
  }),
  provider({
    id: 'openrouter',
    displayName: 'OpenRouter',
    env: ['OPENROUTER_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://openrouter.ai/api/v1',
    authModes: ['api-key', 'token'],
    cooldownBypass: true,
  }),
  provider({
    id: 'kilocode',
    displayName: 'Kilo Gateway',
    env: ['KILOCODE_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.kilo.ai/api/gateway',
    authModes: ['api-key'],
    cooldownBypass: true,
  }),
  provider({
    id: 'ollama',
    displayName: 'Ollama',
    env: ['OLLAMA_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'http://127.0.0.1:11434/v1',
    authModes: ['api-key'],
    local: true,
  }),
  provider({
    id: 'deepseek',
    displayName: 'DeepSeek',
    env: ['DEEPSEEK_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.deepseek.com',
    authModes: ['api-key'],
  }),
  provider({
    id: 'qwen-portal',
    aliases: ['qwen'],
    displayName: 'Qwen Portal',
    env: ['QWEN_OAUTH_TOKEN', 'QWEN_PORTAL_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://portal.qwen.ai/v1',
    authModes: ['oauth', 'api-key'],
  }),
  provider({
    id: 'venice',
    displayName: 'Venice',
    env: ['VENICE_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.venice.ai/api/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'amazon-bedrock',
    displayName: 'Amazon Bedrock',
    ambientEnvVars: ['AWS_BEARER_TOKEN_BEDROCK', 'AWS_ACCESS_KEY_ID', 'AWS_PROFILE'],
    api: 'bedrock-converse-stream',
    baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    authModes: ['aws-sdk'],
  }),
  provider({
    id: 'google',
    displayName: 'Google Gemini API',
    env: ['GEMINI_API_KEY'],
    api: 'google-generative-ai',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    authModes: ['api-key'],
    keyRotation: googleKeyRotation,
  }),
  provider({
    id: 'google-vertex',
    displayName: 'Google Vertex AI',
    ambientEnvVars: [
      'GOOGLE_APPLICATION_CREDENTIALS',
      'GOOGLE_CLOUD_PROJECT',
      'GOOGLE_CLOUD_LOCATION',
    ],
    api: 'google-vertex',
    baseUrl: 'https://{location}-aiplatform.googleapis.com',
    authModes: ['gcloud-adc'],
    keyRotation: googleKeyRotation,
  }),
  provider({
    id: 'google-gemini-cli',
    displayName: 'Google Gemini CLI (Cloud Code Assist OAuth)',
    api: 'google-gemini-cli',
    baseUrl: 'https://cloudcode-pa.googleapis.com',
    authModes: ['oauth'],
  }),
  provider({
    id: 'google-antigravity',
    displayName: 'Google Antigravity (OAuth)',
    api: 'google-gemini-cli',
    baseUrl: 'https://daily-cloudcode-pa.sandbox.googleapis.com',
    authModes: ['oauth'],
  }),
  provider({
    id: 'github-copilot',
    displayName: 'GitHub Copilot',
    env: ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'],
    api: 'github-copilot',
    baseUrl: 'https://api.individual.githubcopilot.com',
    authModes: ['token', 'oauth'],
  }),
  provider({
    id: 'chutes',
    displayName: 'Chutes',
    env: ['CHUTES_OAUTH_TOKEN', 'CHUTES_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://llm.chutes.ai/v1',
    authModes: ['oauth', 'api-key'],
  }),
  provider({
    id: 'zai',
    aliases: ['z.ai', 'z-ai'],
    displayName: 'Z.AI',
    env: ['ZAI_API_KEY', 'Z_AI_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.z.ai/api/paas/v4',
    authModes: ['api-key'],
  }),
  provider({
    id: 'opencode',
    aliases: ['opencode-zen'],
    displayName: 'OpenCode Zen',
    env: ['OPENCODE_API_KEY', 'OPENCODE_ZEN_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://opencode.ai/zen/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'groq',
    displayName: 'Groq',
    env: ['GROQ_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.groq.com/openai/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'cerebras',
    displayName: 'Cerebras',
    env: ['CEREBRAS_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.cerebras.ai/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'xai',
    displayName: 'xAI',
    env: ['XAI_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.x.ai/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'mistral',
    displayName: 'Mistral',
    env: ['MISTRAL_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.mistral.ai/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'moonshot',
    displayName: 'Moonshot AI',
    env: ['MOONSHOT_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.moonshot.ai/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'kimi-code',
    displayName: 'Kimi Code',
    env: ['KIMICODE_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.kimi.com/coding/v1',
    authModes: ['api-key'],
    headers: { 'User-Agent': 'KimiCLI/0.77' },
  }),
  provider({
    id: 'minimax',
    displayName: 'MiniMax',
    env: ['MINIMAX_API_KEY'],
    api: 'openai-completions',
    baseUrl: 'https://api.minimax.chat/v1',
    authModes: ['api-key'],
  }),
  provider({
    id: 'synthetic',
    displayName: 'Synthetic',
    env: ['SYNTHETIC_API_KEY'],
    api: 'anthropic-messages',
    baseUrl: 'https://api.synthetic.new/anthropic',
    authModes: ['api-key'],
  }),
  provider({
    id: 'vercel-ai-gateway',
    displayName: 'Vercel AI Gateway',
    env: ['AI_GATEWAY_API_KEY'],
    api: 'anthropic-messages',
    baseUrl: 'https://ai-gateway.vercel.sh',
    authModes: ['api-key'],
    keyRotation: { envBase: 'AI_GATEWAY', fallbackEnvVars: [] },
  }),
  provider({
    id: 'deepgram',
    displayName: 'Deepgram',
    env: ['DEEPGRAM_API_KEY'],
    api: 'deepgram',
    baseUrl: 'https://api.deepgram.com/v1',
    authModes: ['api-key'],
  }),
])
