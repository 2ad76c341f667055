// PLACEHOLDER: replaced by the real implementation.
import type { CommandSpec } from '../command.js'

export const authListCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}

export const logoutCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}

export const clearCooldownCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
