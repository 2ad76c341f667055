// `?raw` imports give a file's text (Vite handles them in tests; tsup.config.ts in the build).
declare module '*?raw' {
  const text: string
  export default text
}
