// PLACEHOLDER: replaced by the real implementation.
import type { CommandSpec } from '../command.js'

export const loginCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}

export const loginCopilotCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
