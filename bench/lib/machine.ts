/** What the figures were measured on: they mean little without the machine and the commit. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release, platform } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpu: string;
  memory_gb: number;
  node: string;
  platform: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: platform(),
    kernel: release(),
  };
}

/** The commit measured, marked dirty when the working tree has changes (others edit packages/ while we run). */
export function gitCommit(cwd: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' }).trim();
    return { commit, dirty: status.length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}
