// PLACEHOLDER
import type { CommandSpec } from '../command.js'
const todo: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
export const orderCommands = { get: todo, set: todo, clear: todo }
