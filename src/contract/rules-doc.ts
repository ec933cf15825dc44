// Renders docs/rules.md from spec/rules.yaml. Run `npx tsx src/contract/rules-doc.ts` to (re)write the file;
// tests/unit/rules.test.ts fails when the checked-in file differs from the rendering.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILIES, WRITE_FAMILIES, loadRules, normalizeWhitespace, repoPath, rulesByFamily, type Rule } from './rules.ts';

export const RULES_DOC_PATH = 'docs/rules.md';
export const RULES_DOC_COMMAND = 'npx tsx src/contract/rules-doc.ts';

/** Plain text for a table cell: Markdown punctuation backslash-escaped, `|` escaped, whitespace collapsed. */
function text(value: string): string {
  return normalizeWhitespace(value).replace(/[\\`*_[\]<>&|]/g, (c) => `\\${c}`);
}

/** A code span for a table cell, fenced with more backticks than the content holds; `|` escaped. */
function code(value: string): string {
  const content = normalizeWhitespace(value);
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${content.replace(/\|/g, '\\|')}${pad}${fence}`;
}

function anchor(family: string): string {
  return family.toLowerCase();
}

function row(rule: Rule): string {
  const ruleCell = `**${text(rule.title)}**<br>${text(rule.statement)}`;
  const sourceCell = [`${code(rule.source.doc)}:`, code(rule.source.quote)];
  if (rule.source.note) sourceCell.push(`<br>*Note:* ${text(rule.source.note)}`);
  const operations = rule.operations.length === 1 && rule.operations[0] === '*' ? 'all' : rule.operations.map(code).join(', ');
  const cells = [
    rule.id,
    rule.level,
    ruleCell,
    rule.representations.join(', '),
    sourceCell.join(' '),
    operations,
    rule.choice ? text(rule.choice) : '',
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The Markdown text of docs/rules.md for the given rules. */
export function renderRulesDoc(rules: readonly Rule[]): string {
  const byFamily = rulesByFamily(rules);
  const must = rules.filter((rule) => rule.level === 'MUST').length;
  const choices = rules.filter((rule) => rule.choice !== undefined);
  const out: string[] = [
    '# Conformance rules',
    '',
    `<!-- Generated from spec/rules.yaml by src/contract/rules-doc.ts. Do not edit: run \`${RULES_DOC_COMMAND}\`. -->`,
    '',
    `${rules.length} rules (${must} MUST, ${rules.length - must} SHOULD) in ${byFamily.size} families. Every rule is one`,
    'testable statement traced to a verbatim quote of a document in `shared/em-docs` (matched after collapsing',
    'whitespace). *Operations* are the operationIds of [architecture.md](architecture.md#operation-ids). The *choice*',
    'column says what we chose where the documents say UNKNOWN.',
    `Rules of the ${WRITE_FAMILIES.join(', ')} famil${WRITE_FAMILIES.length === 1 ? 'y' : 'ies'} modify the server;`,
    'all others are checkable by a client that only reads.',
    '',
    '| family | rules | what it checks |',
    '| --- | ---: | --- |',
  ];
  for (const [family, members] of byFamily) {
    out.push(`| [${family}](#${anchor(family)}) | ${members.length} | ${text(FAMILIES[family])} |`);
  }
  out.push('', `## Choices (${choices.length} rules)`, '');
  for (const rule of choices) out.push(`- **${rule.id}** ${text(rule.title)}: ${text(rule.choice ?? '')}`);

  for (const [family, members] of byFamily) {
    out.push('', `## ${family}`, '', `${text(FAMILIES[family])}.`, '');
    out.push('| ID | level | rule | repr. | source | operations | choice |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const rule of members) out.push(row(rule));
  }
  out.push('');
  return out.join('\n');
}

/** Renders the catalogue and writes it; both paths are relative to the repository root. */
export function writeRulesDoc(rulesPath = 'spec/rules.yaml', outPath = RULES_DOC_PATH): string {
  const target = repoPath(outPath);
  writeFileSync(target, renderRulesDoc(loadRules(rulesPath)));
  return target;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && resolve(invokedPath) === fileURLToPath(import.meta.url)) {
  const target = writeRulesDoc();
  console.log(`wrote ${target}`);
}
