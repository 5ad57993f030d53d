import type { SeededRandom } from '@fmwiss/random';

/** One drawn, visible thing as a caption sees it. */
export interface CaptionThing {
  /** Prompt name ("airplane", "dining table", "tree"). */
  readonly name: string;
  readonly plural: string;
  /** Colour word of its palette ("red", "black and white"). */
  readonly colour: string;
  /** Painter's-order indices of the things it overlaps and is in front of. */
  readonly inFrontOf: readonly number[];
  /** Whether it is a person (whose colour word describes clothes). */
  readonly person?: boolean;
  /** Share of the image it shows (size words follow it: "a large ..." above 15%, "a small ..." below 3%). */
  readonly areaShare?: number;
}

export interface Caption {
  readonly caption: string;
  /** Distinct names, in the order the caption gives them. */
  readonly objects: string[];
}

const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

const SETTINGS: Record<string, readonly string[]> = {
  sky: ['in the sky', 'against the sky'],
  water: ['on the water', 'by the water'],
  grass: ['on the grass', 'in a field', 'outdoors'],
  street: ['on the street', 'in the city', 'outdoors'],
  room: ['in a room', 'indoors', 'at home'],
};

export function withArticle(phrase: string): string {
  return (/^[aeiou]/i.test(phrase) ? 'an ' : 'a ') + phrase;
}

export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

interface Group {
  readonly name: string;
  readonly plural: string;
  readonly members: number[];
}

function describe(r: SeededRandom, g: Group, things: readonly CaptionThing[]): string {
  if (g.members.length > 1) return `${NUMBERS[g.members.length] ?? 'many'} ${g.plural}`;
  const thing = things[g.members[0]!]!;
  const u = r.next();
  if (u < 0.3) {
    if (thing.person) return `${withArticle(g.name)} in ${thing.colour}`;
    return withArticle(`${thing.colour} ${g.name}`);
  }
  if (u < 0.45) {
    const share = thing.areaShare ?? 0.05;
    const words = share > 0.15 ? ['large', 'big', 'old'] : share < 0.03 ? ['small', 'little', 'old'] : ['old'];
    return withArticle(`${words[r.int(words.length)]} ${g.name}`);
  }
  return withArticle(g.name);
}

/**
 * A caption naming every visible thing, with varied templates: "a photo of a cat and a tree.",
 * "a dog next to a sofa.", "there is a bus in the scene.", "an old bicycle.", ...
 */
export function makeCaption(r: SeededRandom, things: readonly CaptionThing[], setting: string): Caption {
  const groups: Group[] = [];
  things.forEach((thing, i) => {
    const g = groups.find((x) => x.name === thing.name);
    if (g) g.members.push(i);
    else groups.push({ name: thing.name, plural: thing.plural, members: [i] });
  });
  r.shuffle(groups);
  const objects = groups.map((g) => g.name);
  if (groups.length === 0) return { caption: 'an empty scene.', objects };
  const phrases = groups.map((g) => describe(r, g, things));
  const list = joinList(phrases);
  const settingPhrase = (SETTINGS[setting] ?? ['somewhere'])[r.int((SETTINGS[setting] ?? ['']).length)]!;
  const plural = groups[0]!.members.length > 1;
  const templates: (() => string)[] = [
    () => `a photo of ${list}.`,
    () => `${list}.`,
    () => `there ${plural ? 'are' : 'is'} ${list} in the scene.`,
    () => `a picture of ${list} ${settingPhrase}.`,
    () => `${list}, ${settingPhrase}.`,
    () => `a bad photo of ${list}.`,
    () => `a cropped photo of ${list}.`,
    () => `a blurry photo of ${list}.`,
    () => `${plural ? 'these are' : 'this is'} ${list}.`,
    () => `an image with ${list}.`,
    () => `${list} can be seen here.`,
    () => `a rendering of ${list}.`,
  ];
  if (groups.length === 1 && !plural) templates.push(() => `a close-up photo of ${list}.`, () => `${list}.`);
  if (groups.length === 2) {
    const [a, b] = groups as [Group, Group];
    const front = a.members.some((i) => b.members.some((j) => things[i]!.inFrontOf.includes(j)));
    const [pa, pb] = phrases as [string, string];
    templates.push(() => `${pa} next to ${pb}.`, () => `${pa} and ${pb} ${settingPhrase}.`);
    if (front) templates.push(() => `${pa} in front of ${pb}.`, () => `${pb} behind ${pa}.`);
  }
  return { caption: templates[r.int(templates.length)]!(), objects };
}
