import { frameOf, pathOf, seriesByChannel, since, summary, yOf } from "./charts";
import { allPages, formatDuration, indexAt, periodSeconds } from "./history";

const rows = [
  { device_time: "2026-12-01T00:00:00Z", readings: [{ channel: "B", celsius: -18 }, { channel: "A", celsius: 3 }] },
  { device_time: "2026-12-01T00:01:00Z", readings: [{ channel: "A", celsius: null, state: "sensor_error" }] },
  { device_time: "2026-12-01T00:02:00Z", readings: [{ channel: "A", celsius: 5 }] },
];

describe("temperature series", () => {
  it("splits the log per channel, in channel order, keeping gaps", () => {
    const series = seriesByChannel(rows);
    expect(series.map((s) => s.channel)).toEqual(["A", "B"]);
    expect(series[0].points.map((p) => p.v)).toEqual([3, null, 5]);
    expect(summary(series[0].points)).toEqual({ min: 3, max: 5, last: 5 });
    expect(summary([{ t: 0, v: null }])).toBeNull();
    expect(since(series[0], Date.parse("2026-12-01T00:01:00Z")).points).toHaveLength(2);
  });

  it("draws a gap as a new sub-path and puts warmer readings higher", () => {
    const [a] = seriesByChannel(rows);
    const frame = frameOf(a.points, [2, 8], 100, 50);
    expect(frame.v0).toBeLessThan(2);
    expect(frame.v1).toBeGreaterThan(8);
    const path = pathOf(a.points, frame);
    expect(path.startsWith("M0.00,")).toBe(true);
    expect(path.split("M")).toHaveLength(3); // two sub-paths around the missing reading
    expect(path).toContain("M100.00,");
    expect(yOf(5, frame)).toBeLessThan(yOf(3, frame));
  });

  it("keeps a flat line off the chart's edges", () => {
    const frame = frameOf([{ t: 0, v: 4 }, { t: 1, v: 4 }], [], 10, 10);
    expect(frame.v1 - frame.v0).toBeGreaterThanOrEqual(2);
    expect(yOf(4, frame)).toBeCloseTo(5);
  });
});

describe("history pages", () => {
  it("follows next_cursor until the last page or the cap", async () => {
    const asked: string[] = [];
    const get = async (path: string) => {
      asked.push(path);
      return path.includes("cursor=c1")
        ? { positions: [{ n: 3 }], next_cursor: null }
        : { positions: [{ n: 1 }, { n: 2 }], next_cursor: "c1" };
    };
    const all = await allPages<{ n: number }>(get, "/v1/vehicles/v/positions?limit=2", "positions", 10);
    expect(all).toEqual({ items: [{ n: 1 }, { n: 2 }, { n: 3 }], truncated: false });
    expect(asked[1]).toBe("/v1/vehicles/v/positions?limit=2&cursor=c1");
    const capped = await allPages<{ n: number }>(get, "/p", "positions", 2);
    expect(capped).toEqual({ items: [{ n: 1 }, { n: 2 }], truncated: true });
  });

  it("finds the track point of an instant and formats durations", () => {
    const track = ["00:00", "00:05", "00:10"].map((m) => ({
      device_time: `2026-12-01T${m}:00Z`,
      latitude: 37,
      longitude: 127,
    }));
    expect(indexAt(track, "2026-12-01T00:04:00Z")).toBe(1);
    expect(indexAt(track, "2026-12-01T01:00:00Z")).toBe(2);
    expect(periodSeconds({ started_at: "2026-12-01T00:00:00Z", ended_at: "2026-12-01T00:06:00Z" }, 0)).toBe(360);
    expect(formatDuration(35)).toBe("35 s");
    expect(formatDuration(360)).toBe("6 min");
    expect(formatDuration(3900)).toBe("1 h 05 min");
  });
});

import { fieldErrors, vehicleBody, vehicleForm } from "./fleetAdmin";

describe("fleet admin", () => {
  const known = (f: string) => f.startsWith("compartments") || f === "depot_site_id";

  it("puts each 422 reason next to its field, whichever shape it came in", () => {
    const rules = fieldErrors(
      {
        status: 422,
        errors: [
          "compartments.0.setpoint_celsius: 9 °C is outside the chilled band (-2 to 7 °C)",
          "depot_site_id: no active site 'x'",
          "a reason without a field",
        ],
      },
      known,
    );
    expect(rules.byField["compartments.0.setpoint_celsius"]).toEqual(["9 °C is outside the chilled band (-2 to 7 °C)"]);
    expect(rules.byField.depot_site_id).toHaveLength(1);
    expect(rules.other).toEqual(["a reason without a field"]);
    const validation = fieldErrors(
      { status: 422, errors: [{ pointer: "/body/compartments/0/pallets", field: "compartments.0.pallets", reason: "too big" }, { field: "colour", reason: "extra" }] },
      known,
    );
    expect(validation.byField["compartments.0.pallets"]).toEqual(["too big"]);
    expect(validation.other).toEqual(["colour: extra"]);
    expect(fieldErrors({ status: 422, detail: "latitude: must be at most 90" }, (f) => f === "latitude").byField).toEqual({
      latitude: ["must be at most 90"],
    });
  });

  it("turns the form into a request body and a record back into the form", () => {
    const form = { ...vehicleForm(null), device_ids: " d1, d2 ", weight_capacity_kg: "" };
    const body = vehicleBody(form);
    expect(body.device_ids).toEqual(["d1", "d2"]);
    expect(body).not.toHaveProperty("weight_capacity_kg");
    expect(body.compartments).toEqual([{ channel: "A", zone: "chilled", setpoint_celsius: 3, pallets: 16 }]);
    expect(body.shift).toEqual({ start: "08:00", end: "18:00", weekdays: [0, 1, 2, 3, 4] });
    const back = vehicleForm({ vehicle_id: "v", body_type: "chilled", compartments: [], shift: { start: "06:00:00", end: "14:00:00", weekdays: [1] }, active: false });
    expect([back.shift_start, back.shift_end, back.active]).toEqual(["06:00", "14:00", false]);
  });
});
