/**
 * The `prepare` script: builds `dist/` after `npm install` / `npm ci` in this repository and when npm
 * installs the package from git (it runs `prepare` in its clone before packing it).
 * `npm pack` and `npm publish` run `prepack` (which builds) and then `prepare`: there it has nothing left
 * to do, so it skips the second build.
 * Plain JavaScript: npm may run it before the pinned Node is the one on the PATH.
 */
import { spawnSync } from 'node:child_process'

const command = process.env.npm_command
if (command !== 'pack' && command !== 'publish') {
  const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
}
