// Maps the workspace's TypeScript path aliases (tsconfig.base.json) to jest's moduleNameMapper,
// so tests import libs exactly as the code does.
const path = require('node:path');
const fs = require('node:fs');

function pathsToModuleNameMapper() {
  const root = path.resolve(__dirname, '../..');
  const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
  const mapper = {};
  for (const [alias, [target]] of Object.entries(tsconfig.compilerOptions.paths ?? {})) {
    mapper[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = path.join(root, target);
  }
  return mapper;
}

module.exports = { pathsToModuleNameMapper };
