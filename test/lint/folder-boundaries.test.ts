import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import rampart from '../../eslint-rules/folder-boundaries.js';

const cwd = '/repo';

function problems(file: string, code: string): string[] {
  const linter = new Linter({ cwd });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: { rampart },
        rules: { 'rampart/folder-boundaries': 'error' },
      },
    ],
    { filename: `${cwd}/${file}` },
  );
  return messages.map((m) => m.ruleId ?? m.message);
}

describe('rampart/folder-boundaries', () => {
  const RULE = 'rampart/folder-boundaries';
  it.each([
    // [importing file, code, problems]
    ['src/cli/a.ts', "import { x } from '../core/index.js';", []],
    ['src/cli/a.ts', "import { x } from '../core/event.js';", [RULE]],
    ['src/config/a.ts', "import { x } from '../detect/index.config.js';", []],
    ['src/config/a.ts', "import { x } from '../detect/behaviour/index.config.js';", [RULE]],
    ['src/config/a.ts', "import { x } from '../detect/config.js';", [RULE]],
    ['src/cli/a.ts', "import type { x } from '../detect/behaviour/index.js';", [RULE]],
    ['src/cli/a.ts', "export { x } from '../store/types.js';", [RULE]],
    ['src/cli/a.ts', "export * from '../store/types.js';", [RULE]],
    ['src/cli/a.ts', "const m = await import('../enrich/geoip/index.js');", [RULE]],
    ['src/cli/a.ts', "type T = import('../ingest/types.js').LogRecord;", [RULE]],
    ['src/detect/rules/a.ts', "import { x } from '../behaviour/state.js';", []],
    ['src/detect/rules/a.ts', "import { x } from '../../net/index.js';", []],
    ['src/detect/rules/a.ts', "import { x } from '../../net/ip.js';", [RULE]],
    ['src/api/a.test.ts', "import { x } from '../store/testing/postgres.js';", []],
    ['src/enrich/testing/sql.ts', "import { x } from '../../store/testing/postgres.js';", []],
    ['src/api/app.ts', "import { x } from '../store/testing/postgres.js';", [RULE]],
    ['src/cli/a.ts', "import { x } from 'node:fs';", []],
    ['bench/a.ts', "import { x } from '../src/detect/engine.js';", []],
  ])('%s: %s', (file, code, expected) => {
    expect(problems(file, code)).toEqual(expected);
  });
});
