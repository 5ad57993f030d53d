// Model cards: model-card.json for programs and model-card.md for people, written beside the model
// files. The "figures" section is filled later by the lead from tools/model-quality; until then it
// holds null values marked "not yet measured".
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface FileEntry {
  name: string;
  bytes: number;
  sha256: string;
}

export interface CardFigures {
  status: 'not yet measured' | 'measured';
  /** How to measure them. */
  measureWith: string;
  values: Record<string, number | null>;
}

export interface ModelCard {
  model: string;
  summary: string;
  contracts: string[];
  files: FileEntry[];
  /** Free-form sections rendered in order: architecture, data, training, machine, sanity check... */
  sections: { title: string; body: Record<string, unknown> }[];
  figures: CardFigures;
  createdAt: string;
}

/** Name, size and SHA-256 of each file of `dir`. */
export async function describeFiles(dir: string, names: readonly string[]): Promise<FileEntry[]> {
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const bytes = await readFile(file);
      return { name, bytes: (await stat(file)).size, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(5)));
  if (typeof value === 'string') return value;
  return '`' + JSON.stringify(value) + '`';
}

/** The card as Markdown. */
export function renderModelCard(card: ModelCard): string {
  const lines: string[] = [`# ${card.model}`, '', card.summary, ''];
  lines.push(`Contracts: ${card.contracts.map((c) => `\`${c}\``).join(', ')} (docs/model-contracts.md). Written ${card.createdAt}.`, '');
  lines.push('## Files', '', '| file | bytes | sha256 |', '| --- | ---: | --- |');
  for (const f of card.files) lines.push(`| \`${f.name}\` | ${f.bytes} | \`${f.sha256.slice(0, 16)}…\` |`);
  lines.push('');
  for (const section of card.sections) {
    lines.push(`## ${section.title}`, '');
    for (const [key, value] of Object.entries(section.body)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        lines.push(`- **${key}**:`);
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) lines.push(`  - ${k}: ${formatValue(v)}`);
      } else if (typeof value === 'string' && value.includes('\n')) {
        lines.push(`- **${key}**:`, '', '```', value, '```', '');
      } else {
        lines.push(`- **${key}**: ${formatValue(value)}`);
      }
    }
    lines.push('');
  }
  lines.push('## Figures', '');
  if (card.figures.status === 'not yet measured') lines.push('**NOT YET MEASURED** — placeholders (null) until the quality script is run:', '');
  lines.push('```', card.figures.measureWith, '```', '', '| figure | value |', '| --- | --- |');
  for (const [key, value] of Object.entries(card.figures.values)) lines.push(`| ${key} | ${value === null ? '_not yet measured_' : formatValue(value)} |`);
  lines.push('');
  return lines.join('\n');
}

/** Writes model-card.json and model-card.md into `dir`. */
export async function writeModelCard(dir: string, card: ModelCard): Promise<string[]> {
  const json = path.join(dir, 'model-card.json');
  const md = path.join(dir, 'model-card.md');
  await writeFile(json, JSON.stringify(card, null, 2) + '\n');
  await writeFile(md, renderModelCard(card));
  return [json, md];
}
