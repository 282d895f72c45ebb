import { FleetStore, type VehicleState, compartmentRows, openExcursions, setpointOf, statusOf } from "./fleet";

function state(over: Partial<VehicleState> = {}): VehicleState {
  return { vehicle_id: "t1", device_time: "2026-12-01T00:00:00Z", latitude: 37.5, longitude: 127, motion: "moving", ...over };
}

describe("statusOf", () => {
  it("puts an excursion before any other alert and before motion", () => {
    const s = state({
      alerts: [{ alert_id: "a", kind: "offline", opened_at: "2026-12-01T00:00:00Z" }],
      compartments: [
        { channel: "A", condition: "out_of_band" },
        { channel: "B", condition: "excursion" },
      ],
    });
    expect(statusOf(s)).toBe("excursion");
  });
  it("shows out-of-band (grace period) as a warning", () => {
    expect(statusOf(state({ compartments: [{ channel: "A", condition: "out_of_band" }] }))).toBe("warning");
  });
  it("falls back to motion when all is well", () => {
    expect(statusOf(state({ motion: "idle", compartments: [{ channel: "A", condition: "in_band" }] }))).toBe("idle");
  });
});

describe("FleetStore", () => {
  it("never moves a vehicle back to an older state", () => {
    const store = new FleetStore();
    expect(store.apply(state({ device_time: "2026-12-01T00:00:10Z", latitude: 1 }))).toBe(true);
    expect(store.apply(state({ device_time: "2026-12-01T00:00:05Z", latitude: 2 }))).toBe(false);
    expect(store.states.get("t1")?.latitude).toBe(1);
    store.applyAll([state({ device_time: "2026-12-01T00:00:01Z", latitude: 3 }), state({ vehicle_id: "t2" })]);
    expect(store.states.get("t1")?.latitude).toBe(1);
    expect(store.sorted().map((s) => s.vehicle_id)).toEqual(["t1", "t2"]);
  });
  it("tells its listeners of every change", () => {
    const store = new FleetStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.apply(state());
    off();
    store.apply(state({ device_time: "2026-12-02T00:00:00Z" }));
    expect(calls).toBe(1);
  });
});

describe("setpointOf", () => {
  it("prefers the reading's setpoint, else the middle of the band", () => {
    const s = state({
      temperatures: [{ channel: "A", celsius: 2, setpoint_celsius: 3 }],
      compartments: [
        { channel: "A", condition: "in_band", band_low_celsius: 0, band_high_celsius: 5 },
        { channel: "B", condition: "in_band", band_low_celsius: -25, band_high_celsius: -18 },
      ],
    });
    expect(setpointOf(s, "A")).toBe(3);
    expect(setpointOf(s, "B")).toBe(-21.5);
    expect(setpointOf(s, "C")).toBeNull();
  });
});

describe("openExcursions", () => {
  it("lists excursions first, then out-of-band compartments, nothing in band", () => {
    const found = openExcursions([
      state({ vehicle_id: "a", compartments: [{ channel: "A", condition: "out_of_band", celsius: 6 }] }),
      state({ vehicle_id: "b", compartments: [{ channel: "A", condition: "excursion", celsius: 9, excursion_id: "x" }] }),
      state({ vehicle_id: "c", compartments: [{ channel: "A", condition: "in_band" }] }),
    ]);
    expect(found.map((e) => [e.vehicle_id, e.condition])).toEqual([
      ["b", "excursion"],
      ["a", "out_of_band"],
    ]);
  });
});

describe("compartmentRows", () => {
  it("shows the newest reading, tracking's band, and unregistered channels as unmonitored", () => {
    const rows = compartmentRows(
      state({
        temperatures: [
          { channel: "B", celsius: 12, state: "ok" },
          { channel: "A", celsius: 4.1, setpoint_celsius: 3 },
          { channel: "C", celsius: null, state: "unused" },
        ],
        compartments: [{ channel: "A", condition: "in_band", celsius: 3.4, band_low_celsius: 0, band_high_celsius: 5 }],
      }),
    );
    expect(rows).toEqual([
      { channel: "A", celsius: 4.1, setpoint: 3, low: 0, high: 5, condition: "in_band" },
      { channel: "B", celsius: 12, setpoint: null, low: null, high: null, condition: "unmonitored" },
    ]);
  });
});
