// The closed word vocabulary of the mini-CLIP text tower: every word the model can meet in this
// project's world, so that neither the corpus nor prompt ensembling hits an unknown word.

/** Splits like the `word` tokenizer of @fmwiss/co-segmentation: lower-cased, on every run of non-letters. */
export function wordsOf(text: string): string[] {
  return text.normalize('NFC').toLowerCase().split(/[^\p{L}]+/u).filter((word) => word !== '');
}

export interface VocabularySources {
  /** Corpus captions (and any other text the model trains on). */
  captions: Iterable<string>;
  /** Class names as prompts spell them ("potted plant", "tv monitor"). */
  classNames: Iterable<string>;
  /** Prompt templates with their "{}" placeholder ("a photo of a {}."). */
  templates: Iterable<string>;
  /** Background prompts ("sky", "railroad"). */
  backgroundPrompts: Iterable<string>;
}

/**
 * The vocabulary's words, deduplicated and sorted (a stable order, whatever the order of the sources):
 * every word of every caption, class name, template and background prompt.
 */
export function buildVocabulary(sources: VocabularySources): string[] {
  const words = new Set<string>();
  for (const group of [sources.captions, sources.classNames, sources.templates, sources.backgroundPrompts]) {
    for (const text of group) for (const word of wordsOf(text)) words.add(word);
  }
  return [...words].sort();
}

/** Words of `texts` that `vocabulary` lacks (what a tokenizer would map to the unknown token). */
export function unknownWords(texts: Iterable<string>, vocabulary: Iterable<string>): string[] {
  const known = new Set(vocabulary);
  const unknown = new Set<string>();
  for (const text of texts) for (const word of wordsOf(text)) if (!known.has(word)) unknown.add(word);
  return [...unknown].sort();
}
