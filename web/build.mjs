// Builds the QOC Cloud Console into OUT_DIR (argument 1, default ./dist):
//   index.html              no inline script or style (the console's CSP forbids both)
//   assets/app-<hash>.js    one minified ESM bundle (Preact + htm + Chart.js + our code)
//   assets/app-<hash>.css   the stylesheet
// and a gzip copy (<file>.gz, level 9) of each, which qoc serves with Content-Encoding:
// gzip when the browser accepts it. The content hash in the asset names lets qoc mark them
// immutable; index.html is revalidated on every load. Run by CMake (cmake/embed_web.cmake).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: path.join(here, 'src/main.js') },
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['chrome109', 'firefox115', 'safari16'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

let js, css;
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  const rel = path.relative(out, path.resolve(file)).split(path.sep).join('/');
  if (meta.entryPoint && rel.endsWith('.js')) js = rel;
  else if (rel.endsWith('.css')) css = rel;
}
if (!js || !css) throw new Error(`build: missing output (js=${js}, css=${css})`);

const template = readFileSync(path.join(here, 'index.html'), 'utf8');
const html = template.replace('%APP_JS%', `/console/${js}`).replace('%APP_CSS%', `/console/${css}`);
if (html.includes('%')) throw new Error('build: unreplaced placeholder in index.html');
writeFileSync(path.join(out, 'index.html'), html);

// gzip copies of every text file.
function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
let jsGz = 0;
for (const f of walk(out)) {
  if (!/\.(js|css|html)$/.test(f)) continue;
  const gz = gzipSync(readFileSync(f), { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${f}.gz`, gz);
  if (f.endsWith('.js')) jsGz += gz.length;
}
console.log(`console: built ${js} (${(jsGz / 1024).toFixed(1)} KiB gzip), ${css} into ${out}`);
