// Fails loudly when npm scripts run under a Node.js older than the library supports.
// The `node` devDependency puts Node 24 first on npm's PATH; `npm ci --ignore-scripts`
// skips installing it, and the scripts would then silently run on the system Node.
const [major] = process.versions.node.split('.').map(Number)
const minimum = 22
if (major < minimum) {
  console.error(
    `middy-dynamodb-session needs Node.js >= ${minimum}, but npm ran Node.js ${process.versions.node}.\n` +
      'Run `npm install` (without --ignore-scripts) so the pinned Node from the `node` devDependency is installed.',
  )
  process.exit(1)
}
if (!process.env.ALLOW_ANY_NODE && !process.execPath.includes('node_modules') && major !== 24) {
  console.warn(`note: running Node.js ${process.versions.node}, not the pinned Node 24`)
}
