import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Data<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** load again (keeps showing the current data meanwhile) */
  reload(): void;
}

/** Load with `fn` whenever `deps` change; the latest answer wins. */
export function useData<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Data<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const my = ++seq.current;
    const c = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fn(c.signal).then(
      (data) => my === seq.current && setState({ data, loading: false }),
      (error) => my === seq.current && !c.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => c.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
