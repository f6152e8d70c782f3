module.exports = { ...require('../../jest.preset.js'), displayName: 'dataset', rootDir: __dirname };
