// PLACEHOLDER: replaced by the real implementation.
import type { CommandSpec } from '../command.js'

export const statusCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
