/** See seed-files.mjs. */
export function seedFiles(options: { reactorTmp: string; stateTmp: string }): Promise<Record<string, string>>;
