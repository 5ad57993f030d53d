import { InvalidArgumentError } from '@fmwiss/service-kit';

/** The class-name placeholder of a prompt template. */
export const TEMPLATE_PLACEHOLDER = '{}';

/** Most templates a request may carry (clip_mask.proto, InitialMasksOptions.templates). */
export const MAX_TEMPLATES = 256;

/**
 * CLIP's 80 prompt templates for ImageNet zero-shot classification, in the order of OpenAI's
 * "Prompt Engineering for ImageNet" notebook.
 */
export const CLIP_IMAGENET_TEMPLATES: readonly string[] = Object.freeze([
  'a bad photo of a {}.',
  'a photo of many {}.',
  'a sculpture of a {}.',
  'a photo of the hard to see {}.',
  'a low resolution photo of the {}.',
  'a rendering of a {}.',
  'graffiti of a {}.',
  'a bad photo of the {}.',
  'a cropped photo of the {}.',
  'a tattoo of a {}.',
  'the embroidered {}.',
  'a photo of a hard to see {}.',
  'a bright photo of a {}.',
  'a photo of a clean {}.',
  'a photo of a dirty {}.',
  'a dark photo of the {}.',
  'a drawing of a {}.',
  'a photo of my {}.',
  'the plastic {}.',
  'a photo of the cool {}.',
  'a close-up photo of a {}.',
  'a black and white photo of the {}.',
  'a painting of the {}.',
  'a painting of a {}.',
  'a pixelated photo of the {}.',
  'a sculpture of the {}.',
  'a bright photo of the {}.',
  'a cropped photo of a {}.',
  'a plastic {}.',
  'a photo of the dirty {}.',
  'a jpeg corrupted photo of a {}.',
  'a blurry photo of the {}.',
  'a photo of the {}.',
  'a good photo of the {}.',
  'a rendering of the {}.',
  'a {} in a video game.',
  'a photo of one {}.',
  'a doodle of a {}.',
  'a close-up photo of the {}.',
  'a photo of a {}.',
  'the origami {}.',
  'the {} in a video game.',
  'a sketch of a {}.',
  'a doodle of the {}.',
  'a origami {}.',
  'a low resolution photo of a {}.',
  'the toy {}.',
  'a rendition of the {}.',
  'a photo of the clean {}.',
  'a photo of a large {}.',
  'a rendition of a {}.',
  'a photo of a nice {}.',
  'a photo of a weird {}.',
  'a blurry photo of a {}.',
  'a cartoon {}.',
  'art of a {}.',
  'a sketch of the {}.',
  'a embroidered {}.',
  'a pixelated photo of a {}.',
  'itap of the {}.',
  'a jpeg corrupted photo of the {}.',
  'a good photo of a {}.',
  'a plushie {}.',
  'a photo of the nice {}.',
  'a photo of the small {}.',
  'a photo of the weird {}.',
  'the cartoon {}.',
  'art of the {}.',
  'a drawing of the {}.',
  'a photo of the large {}.',
  'a black and white photo of a {}.',
  'the plushie {}.',
  'a dark photo of a {}.',
  'itap of a {}.',
  'graffiti of the {}.',
  'a toy {}.',
  'itap of my {}.',
  'a photo of a cool {}.',
  'a photo of a small {}.',
  'a tattoo of the {}.',
]);

/**
 * Scene templates for dense prediction (the MaskCLIP set plus "a photo of ... in the scene."):
 * they describe an object as part of a scene rather than as the subject of a photo.
 */
export const SCENE_TEMPLATES: readonly string[] = Object.freeze([
  'there is a {} in the scene.',
  'there is the {} in the scene.',
  'this is a {} in the scene.',
  'this is the {} in the scene.',
  'this is one {} in the scene.',
  'a photo of a {} in the scene.',
  'a photo of the {} in the scene.',
  'a photo of one {} in the scene.',
]);

/** The server's default template set: CLIP's ImageNet templates, then the scene templates (88 in all). */
export const DEFAULT_TEMPLATES: readonly string[] = Object.freeze([...CLIP_IMAGENET_TEMPLATES, ...SCENE_TEMPLATES]);

/**
 * Background prompts scored beside the image's label classes (METHOD.md section 1, our reading):
 * stuff and scenery that is background in object datasets such as Pascal VOC. They are class names,
 * filled into the templates like any class.
 */
export const DEFAULT_BACKGROUND_PROMPTS: readonly string[] = Object.freeze([
  'ground',
  'land',
  'grass',
  'tree',
  'building',
  'wall',
  'sky',
  'lake',
  'water',
  'river',
  'sea',
  'railway',
  'railroad',
  'road',
  'street',
  'floor',
  'ceiling',
  'cloud',
  'house',
  'mountain',
  'ocean',
  'rock',
  'valley',
  'bridge',
  'field',
]);

function countPlaceholders(template: string): number {
  return template.split(TEMPLATE_PLACEHOLDER).length - 1;
}

/**
 * Throws an InvalidArgumentError unless `template` is a string holding exactly one "{}". `name` is
 * the template's name in the message (e.g. `templates[3]`).
 */
export function validateTemplate(template: string, name = 'template'): void {
  if (typeof template !== 'string') {
    throw new InvalidArgumentError(`${name} must be a string, got ${typeof template}`);
  }
  const count = countPlaceholders(template);
  if (count !== 1) {
    throw new InvalidArgumentError(
      `${name} ${JSON.stringify(template)} must contain exactly one "${TEMPLATE_PLACEHOLDER}" where the class name goes, found ${count}`,
    );
  }
}

/**
 * Throws an InvalidArgumentError unless `templates` is a list of 1 to MAX_TEMPLATES valid templates.
 * Duplicates are allowed (they weigh the ensemble).
 */
export function validateTemplates(templates: readonly string[], name = 'templates'): void {
  if (!Array.isArray(templates) || templates.length === 0) {
    throw new InvalidArgumentError(`${name} must be a non-empty list of templates`);
  }
  if (templates.length > MAX_TEMPLATES) {
    throw new InvalidArgumentError(`${name} holds ${templates.length} templates; at most ${MAX_TEMPLATES} are allowed`);
  }
  templates.forEach((template, i) => validateTemplate(template, `${name}[${i}]`));
}

/**
 * The prompt for one class: `template` with its single "{}" replaced by `className` (trimmed).
 * Throws an InvalidArgumentError for a template without exactly one "{}" or an empty class name.
 *
 * @example fillTemplate('a photo of a {}.', 'potted plant') // 'a photo of a potted plant.'
 */
export function fillTemplate(template: string, className: string): string {
  validateTemplate(template);
  if (typeof className !== 'string' || className.trim() === '') {
    throw new InvalidArgumentError(`the class name filled into ${JSON.stringify(template)} must be a non-empty string`);
  }
  const at = template.indexOf(TEMPLATE_PLACEHOLDER);
  return template.slice(0, at) + className.trim() + template.slice(at + TEMPLATE_PLACEHOLDER.length);
}

/** The prompts of one class, one per template, in template order (the rows a text model encodes). */
export function classPrompts(className: string, templates: readonly string[] = DEFAULT_TEMPLATES): string[] {
  validateTemplates(templates);
  return templates.map((template) => fillTemplate(template, className));
}
