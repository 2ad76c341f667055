// The checks `claw doctor` runs, in order. Repairs are applied in this order too (legacy imports
// before the orphan sweep, which would otherwise migrate them silently). A new check is a new
// module added here.
import { configCheck } from './config.js'
import { configProfilesCheck } from './config-profiles.js'
import { cooldownsCheck } from './cooldowns.js'
import { deprecatedCheck } from './deprecated.js'
import { legacyCheck } from './legacy.js'
import { locksCheck } from './locks.js'
import { modelRefsCheck } from './model-refs.js'
import { openClawCheck } from './openclaw.js'
import { orphansCheck } from './orphans.js'
import { permissionsCheck } from './permissions.js'
import { plaintextCheck } from './plaintext.js'
import { redisCheck } from './redis.js'
import { storesCheck } from './stores.js'
import { tokensCheck } from './tokens.js'
import type { DoctorCheck } from './types.js'

export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  configCheck,
  redisCheck,
  storesCheck,
  locksCheck,
  permissionsCheck,
  legacyCheck,
  openClawCheck,
  deprecatedCheck,
  configProfilesCheck,
  modelRefsCheck,
  tokensCheck,
  cooldownsCheck,
  orphansCheck,
  plaintextCheck,
]
