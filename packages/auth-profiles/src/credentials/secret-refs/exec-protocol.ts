// The exec protocol: the JSON request written to the command's stdin and the reply read from its
// stdout (or, for a `jsonOnly: false` provider asked for one id, a plain-text value).
import { asFailure, Failure, nonEmpty } from './failure.js'
import { isPlainObject, jsonKind, parseJson } from './json-value.js'

/** The exec provider protocol version claw speaks and accepts. @public */
export const SECRET_EXEC_PROTOCOL_VERSION = 1

/** One answer per id of an exec call: the value, or why there is none. */
export type ExecAnswers = Map<string, string | Failure>

/** Interprets the command's stdout (already checked for size and exit status). */
export function parseExecReply(
  output: Buffer,
  ids: readonly string[],
  jsonOnly: boolean,
): ExecAnswers {
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

/** The request line for `ids` of provider `alias`. */
export function execRequest(alias: string, ids: readonly string[]): string {
  return `${JSON.stringify({ protocolVersion: SECRET_EXEC_PROTOCOL_VERSION, provider: alias, ids })}\n`
}
