import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '@saltmq/common';

/** Where a running master says how to reach it: the CLIs need the bound port when `port: 0` was asked. */
export interface RuntimeInfo {
  port: number;
  interface: string;
  pid: number;
}

const fileOf = (cachedir: string) => join(cachedir, 'master.runtime.json');

export async function writeRuntimeFile(cachedir: string, info: RuntimeInfo): Promise<void> {
  await ensureDir(cachedir, 0o700);
  await writeFileAtomic(fileOf(cachedir), JSON.stringify(info) + '\n', 0o600);
}

export async function removeRuntimeFile(cachedir: string): Promise<void> {
  await rm(fileOf(cachedir), { force: true });
}

/** The running master's address, or undefined when none is running (no file, or its process is gone). */
export async function readRuntimeFile(cachedir: string): Promise<RuntimeInfo | undefined> {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(await readFile(fileOf(cachedir), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0); // signal 0 only asks whether the process exists
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return info;
}
