// Picking a model on the terminal: the provider's catalog models (current and recommended first),
// or any ref typed in, checked the way `claw models set` checks it before it is accepted.
import type { Context } from '../context.js'
import { createCommandRefChecker } from '../model-config/ref-check.js'
import { input, select } from './prompt.js'
import { modelChoices } from './provider-choices.js'

/** The value of the "type a ref" entry (no model key contains a newline). */
const TYPE_A_REF = '\n'

/**
 * Asks for a model: a list of `provider`'s catalog models, or one typed in (an alias,
 * `provider/model` or a bare id resolved against `provider`). A typed ref the catalog rejects
 * (unknown provider, unparseable) is shown under the line to be corrected. Returns what the user
 * chose, as chosen or typed.
 */
export async function pickModel(
  context: Context,
  provider: string | undefined,
  marked: { readonly current?: string | undefined; readonly recommended?: string | undefined },
): Promise<string> {
  const config = await context.config()
  const picked = await select(context.io, 'Default model', [
    ...modelChoices(config, provider, marked),
    { label: 'Another model…', value: TYPE_A_REF, hint: '(type provider/model or an alias)' },
  ])
  if (picked !== TYPE_A_REF) return picked
  const checker = await createCommandRefChecker(context)
  return input(context.io, 'Model (provider/model or alias)', {
    check(value) {
      try {
        checker.resolve(value, { provider, warn: () => undefined })
        return undefined
      } catch (error) {
        return (error as Error).message
      }
    },
  })
}
