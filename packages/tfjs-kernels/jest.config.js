module.exports = { ...require('../../jest.preset.js'), displayName: 'tfjs-kernels', rootDir: __dirname };
