import { InvalidArgumentError } from '@fmwiss/service-kit';
import {
  CLIP_IMAGENET_TEMPLATES,
  classPrompts,
  DEFAULT_BACKGROUND_PROMPTS,
  DEFAULT_TEMPLATES,
  fillTemplate,
  SCENE_TEMPLATES,
  validateTemplates,
} from './prompts';

describe('templates', () => {
  it("holds CLIP's 80 ImageNet templates, then the scene templates, all distinct and valid", () => {
    expect(CLIP_IMAGENET_TEMPLATES).toHaveLength(80);
    expect(CLIP_IMAGENET_TEMPLATES[0]).toBe('a bad photo of a {}.');
    expect(CLIP_IMAGENET_TEMPLATES[79]).toBe('a tattoo of the {}.');
    expect(SCENE_TEMPLATES).toContain('there is a {} in the scene.');
    expect(SCENE_TEMPLATES).toContain('a photo of a {} in the scene.');
    expect(DEFAULT_TEMPLATES).toEqual([...CLIP_IMAGENET_TEMPLATES, ...SCENE_TEMPLATES]);
    expect(new Set(DEFAULT_TEMPLATES).size).toBe(DEFAULT_TEMPLATES.length);
    expect(() => validateTemplates(DEFAULT_TEMPLATES)).not.toThrow();
  });

  it('has distinct, non-empty background prompts without placeholders', () => {
    expect(DEFAULT_BACKGROUND_PROMPTS).toEqual(expect.arrayContaining(['ground', 'sky', 'wall', 'water', 'road', 'floor']));
    expect(new Set(DEFAULT_BACKGROUND_PROMPTS).size).toBe(DEFAULT_BACKGROUND_PROMPTS.length);
    for (const prompt of DEFAULT_BACKGROUND_PROMPTS) expect(prompt).toMatch(/^[a-z ]+$/);
  });
});

describe('fillTemplate', () => {
  it('puts the trimmed class name where "{}" is', () => {
    expect(fillTemplate('a photo of a {}.', ' potted plant ')).toBe('a photo of a potted plant.');
    expect(fillTemplate('{}', 'cat')).toBe('cat');
    expect(fillTemplate('a {photo} of {}', 'cat')).toBe('a {photo} of cat');
  });

  it('needs exactly one "{}" and a non-empty name', () => {
    expect(() => fillTemplate('a photo.', 'cat')).toThrow(InvalidArgumentError);
    expect(() => fillTemplate('a photo.', 'cat')).toThrow('template "a photo." must contain exactly one "{}" where the class name goes, found 0');
    expect(() => fillTemplate('{} and {}', 'cat')).toThrow(/found 2/);
    expect(() => fillTemplate('a {}.', '  ')).toThrow(/non-empty string/);
  });
});

describe('validateTemplates / classPrompts', () => {
  it('names the bad template', () => {
    expect(() => validateTemplates(['a {}.', 'b'])).toThrow(/^templates\[1\] "b" must contain exactly one/);
    expect(() => validateTemplates([])).toThrow(/non-empty list/);
    expect(() => validateTemplates(new Array(257).fill('{}'))).toThrow(/257 templates; at most 256/);
  });

  it('fills every template in order', () => {
    expect(classPrompts('dog', ['a {}.', 'the {}!'])).toEqual(['a dog.', 'the dog!']);
    expect(classPrompts('dog')).toHaveLength(88);
  });
});
