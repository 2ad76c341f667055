// Keeping the READMEs honest: the members of a string-literal union type as declared in the
// source, and the codes a README table lists, so a test can compare the two.
import { readFileSync } from 'node:fs'
import ts from 'typescript'

/** The string literals of `type <name> = 'a' | 'b' | …` in a TypeScript file, in order. */
export function stringUnionMembers(path: string, typeName: string): readonly string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest)
  for (const statement of source.statements) {
    if (!ts.isTypeAliasDeclaration(statement) || statement.name.text !== typeName) continue
    const members = ts.isUnionTypeNode(statement.type) ? statement.type.types : [statement.type]
    return members.map((member) => {
      if (!ts.isLiteralTypeNode(member) || !ts.isStringLiteral(member.literal)) {
        throw new Error(`${typeName} in ${path} has a member that is not a string literal`)
      }
      return member.literal.text
    })
  }
  throw new Error(`${path} declares no type ${typeName}`)
}

/**
 * The backticked values in the first column of the first table after the Markdown heading
 * `heading` (a row may name several: `` `ERR_A` / `ERR_B` ``), in order.
 */
export function tableCodes(markdown: string, heading: string): readonly string[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading)
  if (start === -1) throw new Error(`no heading "${heading}"`)
  const codes: string[] = []
  let inTable = false
  for (const line of lines.slice(start + 1)) {
    if (/^#+ /.test(line)) break
    if (!line.startsWith('|')) {
      if (inTable) break
      continue
    }
    inTable = true
    const firstCell = line.split('|')[1] ?? ''
    for (const match of firstCell.matchAll(/`([^`]+)`/g)) codes.push(match[1]!)
  }
  return codes
}
