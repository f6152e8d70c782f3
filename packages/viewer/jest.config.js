module.exports = { ...require('../../jest.preset.js'), displayName: 'viewer', rootDir: __dirname };
