import { useEffect, useRef } from "preact/hooks";
import { useUi } from "../context";
import { FleetMap, type RouteDraw, type TrackDraw } from "../map/fleetMap";

interface Props {
  selected?: string | null;
  onSelect?: (vehicleId: string) => void;
  routes?: RouteDraw[];
  /** History: one vehicle's track and the replay position, without the live fleet. */
  track?: TrackDraw | null;
  cursor?: { at: [number, number]; label: string } | null;
  label: string;
}

/** The Leaflet map inside a Preact view: created once, fed by props. */
export function MapPane({ selected = null, onSelect, routes, track, cursor, label }: Props) {
  const { fleet, config } = useUi();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<FleetMap | null>(null);

  useEffect(() => {
    if (!element.current) return;
    const created = new FleetMap(element.current, fleet, config);
    map.current = created;
    (window as unknown as { coldchainMap?: FleetMap }).coldchainMap = created; // for the benchmark
    return () => created.destroy();
  }, [fleet, config]);

  useEffect(() => {
    if (map.current && onSelect) map.current.onSelect = onSelect;
  }, [onSelect, config]);

  useEffect(() => {
    map.current?.select(selected, true);
  }, [selected, config]);

  useEffect(() => {
    if (routes) map.current?.showRoutes(routes);
  }, [routes, config]);

  useEffect(() => {
    if (track === undefined) return;
    map.current?.showFleet(false);
    map.current?.showTrack(track);
  }, [track, config]);

  useEffect(() => {
    if (cursor !== undefined) map.current?.showCursor(cursor?.at ?? null, cursor?.label);
  }, [cursor, track, config]);

  return <div class="map" ref={element} role="region" aria-label={label} />;
}
