// @claw/auth-profiles/redis — fleet mode: routing state, credentials and the OAuth refresh lock
// shared through Redis (keyv's Redis adapter and its client). Optional peer dependencies:
// `npm i keyv @keyv/redis`.
export {}
