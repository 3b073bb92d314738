/**
 * The `prepare` script: builds `dist/` after `npm install` / `npm ci` in this repository and when npm
 * installs the package from git (it installs the dev dependencies in its clone, runs `prepare`, then packs).
 *
 * - `npm pack` and `npm publish` run `prepack` (which builds) and then `prepare`: nothing left to do.
 * - A production-only install of this repository (`npm install --omit=dev`, which is what `sam build`
 *   runs in its copy of the project) has no TypeScript compiler and needs no `dist/`: the counter is
 *   bundled from `src/`. It is skipped, with a note.
 *
 * Plain JavaScript: npm may run it before the pinned Node is the one on the PATH.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const command = process.env.npm_command
if (command !== 'pack' && command !== 'publish') {
  if (!existsSync(new URL('../node_modules/typescript/package.json', import.meta.url))) {
    console.error('prepare: TypeScript is not installed (a production-only install): dist/ not built')
  } else {
    const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
    process.exit(result.status ?? 1)
  }
}
