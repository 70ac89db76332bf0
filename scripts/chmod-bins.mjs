// tsc does not keep the executable bit: make the CLIs runnable after each build (npm links them as bins).
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

for (const pkg of ['master', 'minion']) {
  const dir = join('packages', pkg, 'dist', 'cli');
  for (const file of readdirSync(dir)) if (file.endsWith('.js')) chmodSync(join(dir, file), 0o755);
}
