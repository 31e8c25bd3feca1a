/**
 * `rampart/folder-boundaries`: an import from one top-level folder of src/ into another goes through
 * that folder's index.ts (its public surface), so a folder can rearrange its insides without breaking
 * its neighbours. A folder may also offer a narrower surface, `index.<part>.ts` (index.config.ts: only
 * what config validation needs), so a small command does not load the whole folder at start. Test support (`src/<folder>/**\/testing/**`) is reachable from tests, benches and
 * other testing modules only: it never ships in a public surface. Files outside src/ are not checked.
 */
import { dirname, join, normalize, relative, sep } from 'node:path';

/** `src/<top>/...` parts of an absolute path, or null when it is not under `<root>/src`. */
function srcParts(root, file) {
  const rel = relative(join(root, 'src'), file);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return null;
  return rel.split(sep);
}

function isTestSupport(parts) {
  const name = parts[parts.length - 1];
  return /\.(test|bench)\.ts$/.test(name) || parts.includes('testing');
}

/** The specifier's literal, for every node kind that names a module. */
function specifierOf(node) {
  if (node.type === 'TSImportType') {
    const arg = node.source ?? node.argument;
    return arg?.type === 'TSLiteralType' ? arg.literal?.value : arg?.value;
  }
  return node.source?.type === 'Literal' ? node.source.value : undefined;
}

export const folderBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'imports between top-level folders of src/ go through the folder index.ts' },
    schema: [],
    messages: {
      throughIndex: "'{{spec}}' reaches into src/{{top}}: import from src/{{top}}/index.ts (its public surface) instead",
      testingOnly: "'{{spec}}' is test support of src/{{top}}: only tests, benches and testing modules may import it",
    },
  },
  create(context) {
    const from = srcParts(context.cwd, context.filename);
    if (!from || from.length < 2) return {};
    const check = (node) => {
      const spec = specifierOf(node);
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = srcParts(context.cwd, normalize(join(dirname(context.filename), spec)));
      if (!to || to.length < 2 || to[0] === from[0]) return;
      if (to.length === 2 && /^index(\.[a-z-]+)?\.(js|ts)$/.test(to[1])) return;
      if (to.includes('testing')) {
        if (!isTestSupport(from)) context.report({ node, messageId: 'testingOnly', data: { spec, top: to[0] } });
        return;
      }
      context.report({ node, messageId: 'throughIndex', data: { spec, top: to[0] } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
      TSImportType: check,
    };
  },
};

export default { rules: { 'folder-boundaries': folderBoundaries } };
