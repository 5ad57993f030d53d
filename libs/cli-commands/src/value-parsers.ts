// Parsers of flag values that a schema cannot express: class ranges, custom task steps, lists.
// Each throws an Error whose message names the flag; commands turn it into a UsageError.

/** "1-15", "16,17,20", "1-5,9": ascending distinct class ids in 1..254. */
export function parseClassIds(text: string, flag: string): number[] {
  const ids = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new Error(`${flag}: "${part}" is not a class id or a range like 1-15 (got "${text}")`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to > 254 || from > to) throw new Error(`${flag}: "${part}" must be ids in 1..254, low-high (got "${text}")`);
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Custom task steps, "/"-separated: "1-10/11-15/16-20"; a class may appear in one step only. */
export function parseSteps(text: string, flag: string): number[][] {
  const steps = text.split('/').map((part) => parseClassIds(part, flag));
  if (steps.length < 2) throw new Error(`${flag}: a task needs a base step and at least one more, "/"-separated (got "${text}")`);
  const seen = new Map<number, number>();
  steps.forEach((ids, step) => {
    for (const id of ids) {
      const earlier = seen.get(id);
      if (earlier !== undefined) throw new Error(`${flag}: class ${id} is in step ${earlier} and step ${step}`);
      seen.set(id, step);
    }
  });
  return steps;
}

/** "a,b,c" restricted to `allowed`; "all" means every allowed value. Order of `allowed`, no repeats. */
export function parseChoiceList<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const words = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0) throw new Error(`${flag}: give at least one of ${allowed.join(', ')} (or all)`);
  if (words.includes('all')) return [...allowed];
  const unknown = words.filter((w) => !(allowed as readonly string[]).includes(w));
  if (unknown.length > 0) throw new Error(`${flag}: unknown ${unknown.map((w) => `"${w}"`).join(', ')}; choose from ${allowed.join(', ')} or all`);
  return allowed.filter((a) => words.includes(a));
}

/** "host:port" with a port in 1..65535. */
export function checkAddress(text: string, flag: string): string {
  const match = /^(.+):(\d+)$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 1 && port <= 65535)) throw new Error(`${flag}: "${text}" is not a host:port address`);
  return text.trim();
}
