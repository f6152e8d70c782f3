const path = require('path');

/**
 * Besides jest's own output (unchanged), every run writes JUnit XML through jest-junit to
 * reports/junit/evaluation.xml under the workspace root ($CVAE_WORKSPACE, as the suites' reports, else
 * this repository; gitignored; inside the test target's Nx outputs, so a cached run restores it too). JEST_JUNIT_OUTPUT_DIR / JEST_JUNIT_OUTPUT_NAME move it (jest-junit's variables win
 * over these options). The golden suites' tests get the classnames `cvae check --junit` writes:
 * `reference › golden prior` is classname cvae.reference.golden, name prior.
 */
const WORKSPACE_ROOT = process.env.CVAE_WORKSPACE || path.join(__dirname, '..', '..');
const SUITES_SPEC = 'suites.spec.ts';
const SUITE_TESTS = [
  [/^golden (.+)$/, 'golden'],
  [/^gate (.+)$/, 'gate'],
  [/^(sample quality)$/, 'quality'],
  [/^(no obsolete goldens)$/, 'obsolete'],
];

/** {classname, name} of one test: a suite's golden, gate, quality or obsolete check, else describe blocks and title. */
function junitCase({ filename, classname, title }) {
  if (filename === SUITES_SPEC && classname !== '') {
    for (const [pattern, kind] of SUITE_TESTS) {
      const match = pattern.exec(title);
      if (match) return { classname: `cvae.${classname}.${kind}`, name: match[1] };
    }
  }
  return { classname: classname === '' ? filename : classname, name: title };
}

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'evaluation',
  rootDir: __dirname,
  reporters: [
    'default',
    [
      'jest-junit',
      {
        outputDirectory: path.join(WORKSPACE_ROOT, 'reports', 'junit'),
        outputName: 'evaluation.xml',
        suiteName: 'evaluation',
        suiteNameTemplate: '{filename}',
        ancestorSeparator: ' › ',
        classNameTemplate: (vars) => junitCase(vars).classname,
        titleTemplate: (vars) => junitCase(vars).name,
        addFileAttribute: 'true',
        // A spec file that fails to load is an error case, not silently absent; console output (a failing suite's report path) goes in system-out.
        reportTestSuiteErrors: 'true',
        includeShortConsoleOutput: 'true',
      },
    ],
  ],
};
