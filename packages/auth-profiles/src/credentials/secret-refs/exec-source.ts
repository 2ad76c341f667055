// The exec source: the provider's command answers the ids of its refs.
import type { Env } from '../../runtime.js'
import { checkCommand, runCommand, type ExecProviderConfig } from './exec-command.js'
import { execRequest, parseExecReply, type ExecAnswers } from './exec-protocol.js'
import { asFailure, Failure, type Outcome, type Pending } from './failure.js'

/** Asks the command for `ids` in one call (the JSON protocol). */
async function execIds(
  alias: string,
  config: ExecProviderConfig,
  ids: readonly string[],
  parentEnv: Env,
  signal: AbortSignal | undefined,
): Promise<ExecAnswers> {
  const command = await checkCommand(config.command, config.allowInsecurePermissions === true)
  const output = await runCommand(command, config, execRequest(alias, ids), parentEnv, signal)
  return parseExecReply(output, ids, config.jsonOnly !== false)
}

/**
 * One command call for all ids of a `jsonOnly` provider. A provider with `jsonOnly: false` may
 * answer in plain text, which only works for a single id, so it is called once per id.
 */
export async function resolveExecGroup(
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
