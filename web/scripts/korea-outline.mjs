// Writes public/korea.geo.json: the Korean peninsula from Natural Earth (npm world-atlas,
// 1:10m), the offline base layer the map shows when no tile server is reachable.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const topology = JSON.parse(readFileSync(require.resolve("world-atlas/countries-10m.json"), "utf8"));
const KEEP = new Set(["410", "408"]); // ISO 3166-1 numeric: Republic of Korea, DPRK
const all = feature(topology, topology.objects.countries);
const round = (c) => (typeof c[0] === "number" ? [+c[0].toFixed(3), +c[1].toFixed(3)] : c.map(round));
const features = all.features
  .filter((f) => KEEP.has(String(f.id)))
  .map((f) => ({ type: "Feature", id: f.id, properties: { name: f.properties.name },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));
if (features.length !== KEEP.size) throw new Error(`expected ${KEEP.size} countries, found ${features.length}`);
mkdirSync(new URL("../public/", import.meta.url), { recursive: true });
const out = new URL("../public/korea.geo.json", import.meta.url);
writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }));
console.log(`korea outline: ${features.length} features written to public/korea.geo.json`);
