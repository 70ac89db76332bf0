/** Progress on stdout while the bench runs: which phase, and how far (minions connected, events seen). */
const started = Date.now();
const stamp = () => `[+${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;

export function say(message: string): void {
  process.stdout.write(`${stamp()} ${message}\n`);
}

export function phase(name: string): void {
  process.stdout.write(`\n${stamp()} == ${name}\n`);
}

/** Prints `status()` every `everyMs` while it changes; call the result to stop. */
export function ticker(status: () => string, everyMs = 2000): () => void {
  let last = '';
  const timer = setInterval(() => {
    const now = status();
    if (now !== last) say(`   ${now}`);
    last = now;
  }, everyMs);
  return () => clearInterval(timer);
}
