// Prints the README's configuration table from app/config/variables.ts (the single source of the
// variables): `node --import tsx scripts/readme-config-table.ts`. A test keeps the README in step.
import { variables } from '../app/config/variables.ts';

const rows = variables.map((v) => {
  const name = `\`${v.name}\`${v.secret ? ` (or \`${v.name}_FILE\`)` : ''}`;
  const value = v.default === undefined ? '—' : `\`${String(v.default)}\``;
  return `| ${name} | ${value} | ${v.description} |`;
});
process.stdout.write(`| variable | default | meaning |\n| --- | --- | --- |\n${rows.join('\n')}\n`);
