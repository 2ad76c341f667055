// PLACEHOLDER: replaced by the real implementation.
import type { CommandSpec } from '../command.js'

export const pasteApiKeyCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}

export const pasteTokenCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}

export const setupTokenCommand: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
