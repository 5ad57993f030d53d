import { neighbourAgreement } from '../dino/knn-check';
import { retrievalFigures } from './retrieval';

describe('retrievalFigures', () => {
  it('counts a caption whose own image ranks first, and ties against it', () => {
    // Images and captions in 2-D: caption 0 matches image 0, caption 1 is closest to image 0 (a miss),
    // caption 2 is equally close to images 1 and 2 (a tie: a miss).
    const images = Float32Array.from([1, 0, 0, 1, 0, 1]);
    const captions = Float32Array.from([1, 0.1, 1, 0.2, 0, 1]);
    const figures = retrievalFigures(images, captions, 3, 2);
    expect(figures.captionToImageTop1).toBeCloseTo(1 / 3, 12);
    expect(figures.captionToImageTop5).toBe(1);
    expect(figures.chance).toBeCloseTo(1 / 3, 12);
  });
});

describe('neighbourAgreement', () => {
  it('finds the nearest bank image by cosine and compares object sets', () => {
    const bank = Float32Array.from([1, 0, 0, 1, -1, 0]);
    const query = Float32Array.from([2, 0.1, 0.1, 3]);
    const figures = neighbourAgreement(query, bank, 2, [['cat'], ['dog', 'cat']], [['cat'], ['dog'], ['cat', 'dog']]);
    // Query 0 -> bank 0 (same set), query 1 -> bank 1 (shares dog, not the same set).
    expect(figures.sharesObject).toBe(1);
    expect(figures.sameObjects).toBe(0.5);
    // Chance: query 0 shares with bank 0 and 2 (2/3), query 1 with all three (1).
    expect(figures.chanceSharesObject).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });
});
