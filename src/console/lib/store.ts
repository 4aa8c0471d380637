import { useLayoutEffect, useRef, useState } from 'preact/hooks';

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

/**
 * Re-render when the store changes. A change that lands between the render and the subscription
 * (a stream connecting, a response arriving) is caught by comparing right after subscribing.
 */
export function useStore<T>(s: Store<T>): T {
  const value = s.get();
  const rendered = useRef(value);
  rendered.current = value;
  const [, bump] = useState(0);
  useLayoutEffect(() => {
    const off = s.subscribe(() => bump((n) => n + 1));
    if (s.get() !== rendered.current) bump((n) => n + 1);
    return off;
  }, [s]);
  return value;
}
