export { SeededRandom, type SeedPart } from './seeded-random';
