// The shapes shared by `claw doctor`'s checks: a finding, the repair a finding may offer, and the
// check interface. A new check (e.g. a Redis connection check for fleets) is one new module that
// exports a `DoctorCheck` and is added to the list in `checks.ts`.
import type {
  AuthProfileStore,
  AuthStoreBackend,
  ClawConfig,
  StoreDiagnostic,
} from '@claw/auth-profiles'
import type { Context } from '../context.js'

/** How bad a finding is: errors make `doctor` exit 1 (78 for unparseable files). */
export type Severity = 'error' | 'warning' | 'info'

/**
 * A repair `--fix` can make. `safe` repairs run with `--fix`; `confirm` repairs (network calls,
 * deleting credentials) also need `--yes` or a "yes" at a terminal prompt.
 */
export interface Repair {
  readonly kind: 'safe' | 'confirm'
  /** For `confirm` repairs: the yes/no question asked once for all repairs sharing it. */
  readonly prompt?: string
  /** Applies the repair and returns one line per change made (empty when nothing changed). */
  apply(): Promise<readonly string[]>
}

/** One problem (or note) a check found. Never contains a secret. */
export interface Finding {
  /** Stable code for scripts, e.g. `permissions.file`, `tokens.expired`. */
  readonly id: string
  readonly severity: Severity
  /** One line (a parse error may add indented detail lines); ids are already escaped. */
  readonly message: string
  /** How to fix it by hand, or what `--fix` would do. */
  readonly fix?: string
  readonly agentId?: string
  readonly profileId?: string
  /** The file or directory concerned. */
  readonly file?: string
  /** Present when `--fix` can repair it. Not part of the JSON output. */
  readonly repair?: Repair
}

/** One agent whose credential store doctor inspects. */
/** Store options for the library's store functions: one agent's own store, no read-through. */
export type AgentStoreTarget =
  | { readonly agentDir: string; readonly mainAgentDir: null }
  | { readonly backend: AuthStoreBackend }

export interface AgentState {
  readonly agentId: string
  readonly agentDir: string
  readonly storePath: string
  /**
   * The agent's own store (no read-through); undefined when it could not be read. In fleet mode,
   * the routing state (usage, cooldowns, order) is Redis's and the credentials are wherever
   * `state.credentials` keeps them.
   */
  readonly store: AuthProfileStore | undefined
  /** Where repairs write the store: the agent's file, or its fleet backend (no read-through). */
  readonly storeTarget: AgentStoreTarget
  /** Whether `auth-profiles.json` exists. */
  readonly storeExists: boolean
  /** Set when the agent dir resolves outside the state dir (then the store is not read). */
  readonly locationProblem?: string
  /** The load error (`ERR_STORE_*`), when the store is unreadable or invalid. */
  readonly storeError?: Error & { readonly code?: string }
  /** Loader diagnostics (ignored entries, newer format, …), permission notes excluded. */
  readonly diagnostics: readonly Pick<StoreDiagnostic, 'code' | 'path' | 'message'>[]
}

/** Everything the checks read, gathered once per run. */
export interface DoctorState {
  readonly context: Context
  readonly stateDir: string
  readonly configPath: string
  readonly configExists: boolean
  /** The validated config, or undefined when it could not be read or is invalid. */
  readonly config: ClawConfig | undefined
  /** The raw config document (`${VAR}` intact), when it parsed. */
  readonly rawConfig: Record<string, unknown> | undefined
  readonly configError?: Error
  /** Main first, then the others sorted by id. */
  readonly agents: readonly AgentState[]
  readonly now: number
}

/** One area of checks. */
export interface DoctorCheck {
  /** Area id used in finding ids and JSON (`config`, `stores`, …). */
  readonly area: string
  /** Heading in the human output. */
  readonly title: string
  /** Shown with a ✓ when the area has no findings. */
  readonly okMessage: string
  run(state: DoctorState): Promise<readonly Finding[]> | readonly Finding[]
}

/** A check result with its area, as the runner reports it. */
export interface AreaReport {
  readonly area: string
  readonly title: string
  readonly okMessage: string
  readonly findings: readonly Finding[]
}
