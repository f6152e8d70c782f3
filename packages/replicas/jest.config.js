module.exports = { ...require('../../jest.preset.js'), displayName: 'replicas', rootDir: __dirname };
