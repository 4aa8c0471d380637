/** Small helpers shared by the services' engine probes (test connection). */

/** Reject with "no answer within N s" when `p` takes longer than `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`${what}: no answer within ${Math.round(ms / 100) / 10} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** 1536 → "1.5 KiB" */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export const errorText = (e: unknown): string => ((e as Error)?.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300);
