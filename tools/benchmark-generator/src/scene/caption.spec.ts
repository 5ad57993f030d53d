import { SeededRandom } from '@fmwiss/random';
import { joinList, makeCaption, withArticle } from './caption';

describe('captions', () => {
  it('joins lists and picks articles', () => {
    expect(joinList(['a cat'])).toBe('a cat');
    expect(joinList(['a cat', 'a tree', 'two dogs'])).toBe('a cat, a tree and two dogs');
    expect(withArticle('airplane')).toBe('an airplane');
    expect(withArticle('old bicycle')).toBe('an old bicycle');
    expect(withArticle('sofa')).toBe('a sofa');
  });

  it('counts repeated things and names each kind once', () => {
    const thing = (name: string, plural: string, inFrontOf: number[] = []) => ({ name, plural, colour: 'red', inFrontOf });
    for (let i = 0; i < 50; i++) {
      const { caption, objects } = makeCaption(
        new SeededRandom(2, 'cap', i),
        [thing('sheep', 'sheep'), thing('sheep', 'sheep'), thing('tree', 'trees', [0])],
        'grass',
      );
      expect(objects.sort()).toEqual(['sheep', 'tree']);
      expect(caption).toContain('two sheep');
      expect(caption).toContain('tree');
    }
  });
});
