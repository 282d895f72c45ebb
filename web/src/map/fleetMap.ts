/**
 * The Leaflet map: offline Korea outline under an optional tile layer, vehicles as canvas
 * circle markers clustered by supercluster, and planned routes with numbered stops.
 * Canvas rather than DOM markers so 10,000 vehicles stay cheap; re-clustering is throttled.
 */
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import type { ConsoleConfig } from "../config";
import { FleetStore, STATUS_COLOUR } from "../fleet";
import { VehicleClusters } from "./clusters";
import { textOn } from "./contrast";

export interface RouteStop {
  latitude: number;
  longitude: number;
  label: string;
}

export interface RouteDraw {
  vehicle_id: string;
  colour: string;
  stops: RouteStop[];
}

const REDRAW_MS = 400;

/** A numbered disc, built as DOM (styles set through the CSSOM, which the CSP allows,
 * unlike style attributes in HTML strings). */
function badge(text: string, colour: string): HTMLElement {
  const span = document.createElement("span");
  span.textContent = text;
  span.style.background = colour;
  span.style.color = textOn(colour);
  return span;
}

export interface TrackDraw {
  points: [number, number][];
  stops: RouteStop[];
}

export const ROUTE_COLOURS = ["#1f6feb", "#c8102e", "#1a7f37", "#8e44ad", "#e87722", "#0598bc", "#b58900", "#d63384"];

export class FleetMap {
  readonly map: L.Map;
  private renderer = L.canvas({ padding: 0.3 });
  private routeRenderer = L.svg(); // few lines: SVG keeps them inspectable (class route-line)
  private markers = L.layerGroup();
  private routes = L.layerGroup();
  private track = L.layerGroup();
  private cursor: L.CircleMarker | null = null;
  private clusters = new VehicleClusters();
  private loadedVersion = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = 0;
  selected: string | null = null;
  rendered = 0;
  onSelect: (vehicleId: string) => void = () => undefined;

  constructor(
    private readonly element: HTMLElement,
    private readonly store: FleetStore,
    config: ConsoleConfig,
  ) {
    this.map = L.map(element, { preferCanvas: true, center: [36.4, 127.8], zoom: 7, minZoom: 5, maxZoom: 18 });
    this.map.createPane("outline").style.zIndex = "150"; // under the tiles: seen only where tiles are missing
    void this.addOutline();
    if (config.tile_url) {
      L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 19 }).addTo(this.map);
    }
    this.markers.addTo(this.map);
    this.routes.addTo(this.map);
    this.track.addTo(this.map);
    this.map.on("moveend zoomend", () => this.draw(true));
    this.unsubscribe = store.subscribe(() => this.schedule());
    this.draw(true);
  }

  private unsubscribe: () => void;

  private async addOutline(): Promise<void> {
    const response = await fetch("/korea.geo.json").catch(() => null);
    if (!response?.ok) return;
    L.geoJSON(await response.json(), {
      pane: "outline",
      interactive: false,
      style: { color: "#7d8590", weight: 1, fillColor: "#f6f3ea", fillOpacity: 1 },
    }).addTo(this.map);
    this.map.attributionControl.addAttribution("Outline: Natural Earth");
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, REDRAW_MS - (performance.now() - this.lastDraw));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw(false);
    }, wait);
  }

  draw(force: boolean): void {
    this.lastDraw = performance.now();
    if (this.store.version !== this.loadedVersion) {
      this.clusters.load(this.store.states.values());
      this.loadedVersion = this.store.version;
    } else if (!force) {
      return;
    }
    const b = this.map.getBounds();
    const items = this.clusters.items([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], this.map.getZoom());
    this.markers.clearLayers();
    for (const item of items) {
      if (item.kind === "cluster") {
        const size = item.count < 100 ? 30 : item.count < 1000 ? 38 : 46;
        const icon = L.divIcon({
          className: "cluster",
          html: badge(String(item.count), STATUS_COLOUR[item.worst]),
          iconSize: [size, size],
        });
        const marker = L.marker([item.lat, item.lon], { icon, keyboard: false, title: `${item.count}` });
        marker.on("click", () =>
          this.map.setView([item.lat, item.lon], Math.min(this.clusters.expansionZoom(item.id), 18)),
        );
        this.markers.addLayer(marker);
      } else {
        const selected = item.vehicle_id === this.selected;
        const marker = L.circleMarker([item.lat, item.lon], {
          renderer: this.renderer,
          radius: selected ? 10 : 7,
          color: selected ? "#111" : "#fff",
          weight: selected ? 3 : 1.5,
          fillColor: STATUS_COLOUR[item.status],
          fillOpacity: 0.95,
        });
        marker.bindTooltip(item.vehicle_id);
        marker.on("click", () => this.onSelect(item.vehicle_id));
        this.markers.addLayer(marker);
      }
    }
    this.rendered = items.length;
    this.element.dataset.rendered = String(items.length);
    this.element.dataset.vehicles = String(this.store.states.size);
    this.element.dataset.drawnAt = String(performance.now()); // read by `make bench-web`
  }

  select(vehicleId: string | null, pan = false): void {
    this.selected = vehicleId;
    const state = vehicleId ? this.store.states.get(vehicleId) : undefined;
    if (pan && state) this.map.setView([state.latitude, state.longitude], Math.max(this.map.getZoom(), 13));
    this.draw(true);
  }

  showRoutes(routes: RouteDraw[]): void {
    this.routes.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const route of routes) {
      const line = route.stops.map((s) => L.latLng(s.latitude, s.longitude));
      if (line.length > 1) {
        this.routes.addLayer(L.polyline(line, {
            renderer: this.routeRenderer,
            color: route.colour,
            weight: 4,
            opacity: 0.8,
            className: "route-line",
          }),
        );
      }
      route.stops.forEach((stop, i) => {
        const icon = L.divIcon({
          className: "route-stop",
          html: badge(String(i + 1), route.colour),
          iconSize: [22, 22],
        });
        this.routes.addLayer(L.marker([stop.latitude, stop.longitude], { icon, keyboard: false, title: stop.label }));
        bounds.extend([stop.latitude, stop.longitude]);
      });
    }
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
  }

  /** The live fleet's markers on or off (the history view shows one vehicle's past only). */
  showFleet(visible: boolean): void {
    if (visible) this.markers.addTo(this.map);
    else this.markers.remove();
  }

  /** A vehicle's track as one line, its stops as markers, fitted into view. */
  showTrack(track: TrackDraw | null): void {
    this.track.clearLayers();
    this.cursor = null;
    if (!track || track.points.length === 0) return;
    this.track.addLayer(
      L.polyline(track.points, { renderer: this.routeRenderer, color: "#1f6feb", weight: 4, opacity: 0.85, className: "history-track" }),
    );
    track.stops.forEach((stop, i) => {
      const icon = L.divIcon({ className: "route-stop history-stop", html: badge(String(i + 1), "#b35900"), iconSize: [22, 22] });
      this.track.addLayer(L.marker([stop.latitude, stop.longitude], { icon, keyboard: false, title: stop.label }));
    });
    this.map.fitBounds(L.latLngBounds(track.points), { padding: [30, 30], maxZoom: 15 });
  }

  /** The replay position: a marker moved along the track. */
  showCursor(at: [number, number] | null, label = ""): void {
    if (!at) {
      this.cursor?.remove();
      this.cursor = null;
      return;
    }
    if (!this.cursor) {
      this.cursor = L.circleMarker(at, {
        renderer: this.routeRenderer,
        radius: 9,
        color: "#111",
        weight: 3,
        fillColor: "#ffd33d",
        fillOpacity: 1,
        className: "history-cursor",
      });
      this.track.addLayer(this.cursor);
    }
    this.cursor.setLatLng(at);
    this.cursor.unbindTooltip().bindTooltip(label);
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
    this.map.remove();
  }
}
