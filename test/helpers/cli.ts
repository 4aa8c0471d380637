/** Run the `logsnap` CLI from the sources (tsx), as a user would run `npx logsnap …`. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** node arguments that start the CLI: `[...CLI_ARGS, 'serve']` */
export const CLI_ARGS = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];

export function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI_ARGS, ...args], { env: { ...process.env, ...env }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
