// PLACEHOLDER: replaced by the real implementation.
import type { CommandSpec } from '../command.js'

export const listCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
