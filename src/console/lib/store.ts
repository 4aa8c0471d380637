import { useEffect, useState } from 'preact/hooks';

/** A value others can watch (the console's whole state model: session, route, live jobs). */
export class Store<T> {
  #listeners = new Set<(v: T) => void>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(v: T): void {
    this.value = v;
    for (const fn of [...this.#listeners]) fn(v);
  }
  subscribe(fn: (v: T) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

/** Re-render when the store changes. */
export function useStore<T>(s: Store<T>): T {
  const [, bump] = useState(0);
  useEffect(() => s.subscribe(() => bump((n) => n + 1)), [s]);
  return s.get();
}
