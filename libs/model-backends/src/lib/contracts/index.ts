export * from './contracts';
export * from './preprocess';
