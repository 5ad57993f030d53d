import { DEFAULT_BACKGROUND_PROMPTS, DEFAULT_TEMPLATES, fillTemplate, loadTokenizer } from '@fmwiss/co-segmentation';
import { VOC_CLASSES } from '@fmwiss/datasets';
import { WORD_SPECIALS, wordTokenizer } from '@fmwiss/vit-models';

import { buildVocabulary, unknownWords, wordsOf } from './vocabulary';

describe('wordsOf', () => {
  it('splits like the word tokenizer: lower case, on every non-letter', () => {
    expect(wordsOf('A close-up photo of the TV monitor, 2 dogs.')).toEqual(['a', 'close', 'up', 'photo', 'of', 'the', 'tv', 'monitor', 'dogs']);
    expect(wordsOf('  ')).toEqual([]);
  });
});

describe('buildVocabulary', () => {
  const sources = {
    captions: ['two boats, on the water.', 'a dog behind a chair.'],
    classNames: ['potted plant', 'dining table', 'tv monitor'],
    templates: ['a photo of a {}.', 'itap of my {}.'],
    backgroundPrompts: ['railroad', 'sky'],
  };

  it('holds every word of every source once, sorted', () => {
    const words = buildVocabulary(sources);
    expect(words).toEqual([...new Set(words)].sort());
    for (const word of ['boats', 'water', 'behind', 'potted', 'plant', 'dining', 'table', 'tv', 'monitor', 'photo', 'itap', 'my', 'railroad', 'sky']) {
      expect(words).toContain(word);
    }
    expect(words).not.toContain('{}');
    expect(unknownWords(['a photo of my potted plant.'], words)).toEqual([]);
    expect(unknownWords(['a zebra'], words)).toEqual(['zebra']);
  });

  it('does not depend on the order of the sources', () => {
    const shuffled = { ...sources, captions: [...sources.captions].reverse(), classNames: [...sources.classNames].reverse() };
    expect(buildVocabulary(shuffled)).toEqual(buildVocabulary(sources));
  });

  it('gives a tokenizer file that encodes every VOC prompt and background prompt without <unk>', () => {
    const classNames = VOC_CLASSES.slice(1).map((c) => c.promptName);
    const words = buildVocabulary({ captions: sources.captions, classNames, templates: DEFAULT_TEMPLATES, backgroundPrompts: DEFAULT_BACKGROUND_PROMPTS });
    const file = wordTokenizer(words);
    expect(file.vocab.slice(0, WORD_SPECIALS.length)).toEqual([...WORD_SPECIALS]);
    const tokenizer = loadTokenizer(file, { contextLength: 16 });
    const unknown = file.vocab.indexOf('<unk>');
    for (const name of [...classNames, ...DEFAULT_BACKGROUND_PROMPTS]) {
      for (const template of DEFAULT_TEMPLATES) expect(tokenizer.tokenize(fillTemplate(template, name))).not.toContain(unknown);
    }
  });
});
