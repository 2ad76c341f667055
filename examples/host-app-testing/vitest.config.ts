import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-host-app-testing', environment: 'node', include: ['*.test.ts'] },
})
