/** Clustering of vehicle positions (supercluster: a KD-tree, ~10 ms for 10,000 points),
 * kept apart from Leaflet so it is testable without a DOM. */
import Supercluster, { type ClusterProperties, type PointFeature } from "supercluster";
import { type Status, type VehicleState, statusOf } from "../fleet";

export interface PointProps {
  vehicle_id: string;
  status: Status;
}

export type Item =
  | { kind: "vehicle"; lat: number; lon: number; vehicle_id: string; status: Status }
  | { kind: "cluster"; lat: number; lon: number; count: number; id: number; worst: Status };

const SEVERITY: Status[] = ["excursion", "warning", "alert", "moving", "idle", "stopped", "offline"];

export class VehicleClusters {
  private index = new Supercluster<PointProps, { worst: number }>({
    radius: 48,
    maxZoom: 12,
    map: (p) => ({ worst: SEVERITY.indexOf(p.status) }),
    reduce: (acc, p) => {
      acc.worst = Math.min(acc.worst, p.worst);
    },
  });

  load(states: Iterable<VehicleState>): void {
    const features: PointFeature<PointProps>[] = [];
    for (const s of states) {
      features.push({
        type: "Feature",
        properties: { vehicle_id: s.vehicle_id, status: statusOf(s) },
        geometry: { type: "Point", coordinates: [s.longitude, s.latitude] },
      });
    }
    this.index.load(features);
  }

  items(bbox: [number, number, number, number], zoom: number): Item[] {
    return this.index.getClusters(bbox, Math.round(zoom)).map((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties as Partial<ClusterProperties> & Partial<PointProps> & { worst?: number };
      if (p.cluster) {
        return { kind: "cluster", lat, lon, count: p.point_count ?? 0, id: p.cluster_id ?? 0, worst: SEVERITY[p.worst ?? 6] };
      }
      return { kind: "vehicle", lat, lon, vehicle_id: p.vehicle_id ?? "", status: p.status ?? "offline" };
    });
  }

  expansionZoom(clusterId: number): number {
    return this.index.getClusterExpansionZoom(clusterId);
  }
}
