// PLACEHOLDER: replaced by the real implementation.
import type { CommandSpec } from '../command.js'

export const setCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}

export const setImageCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
