module.exports = { ...require('../../jest.preset.js'), displayName: 'report-ui', rootDir: __dirname, testEnvironment: 'node' };
