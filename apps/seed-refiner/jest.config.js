module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'seed-refiner',
  rootDir: __dirname,
};
