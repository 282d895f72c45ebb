import { useEffect, useState } from "preact/hooks";
import type { FleetStore } from "./fleet";

/** Re-render on fleet changes, at most every `everyMs` (a live fleet changes many times a second). */
export function useFleetVersion(store: FleetStore, everyMs = 500): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = store.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setVersion(store.version);
      }, everyMs);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store, everyMs]);
  return version;
}
