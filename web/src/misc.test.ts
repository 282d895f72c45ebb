import { query } from "./api";
import { refreshDelayMs } from "./auth";
import { formatCelsius, formatTime, translate } from "./i18n";
import { backoffMs } from "./live";
import { VehicleClusters } from "./map/clusters";
import { routesToDraw } from "./plans";

describe("formatTime", () => {
  it("shows UTC instants in Seoul time", () => {
    expect(formatTime("2026-12-01T15:30:00Z", "en")).toBe("02/12/2026, 00:30");
    expect(formatTime("2026-12-01T15:30:00Z", "ko")).toContain("00:30");
    expect(formatTime(null, "en")).toBe("–");
  });
});

it("formats temperatures with one decimal", () => {
  expect(formatCelsius(-18.25)).toBe("-18.3 °C");
  expect(formatCelsius(null)).toBe("–");
});

it("has every label in Korean", () => {
  expect(translate("ko", "dispatch")).toBe("배차");
  expect(translate("en", "dispatch")).toBe("Dispatch");
});

it("builds query strings without empty filters", () => {
  expect(query({ status: "planned", q: "", site: undefined, limit: 25 })).toBe("?status=planned&limit=25");
  expect(query({})).toBe("");
});

it("refreshes before the access token expires, never in a tight loop", () => {
  expect(refreshDelayMs(900)).toBe(720_000);
  expect(refreshDelayMs(1)).toBe(5_000);
});

it("backs off reconnects up to 15 s", () => {
  expect([0, 1, 2, 10].map(backoffMs)).toEqual([500, 1000, 2000, 15_000]);
});

describe("VehicleClusters", () => {
  const states = Array.from({ length: 1000 }, (_, i) => ({
    vehicle_id: `v${i}`,
    device_time: "2026-12-01T00:00:00Z",
    latitude: 37 + (i % 10) * 0.001,
    longitude: 127 + Math.floor(i / 10) * 0.001,
    motion: "moving" as const,
    compartments: i === 7 ? [{ channel: "A", condition: "excursion" as const }] : [],
  }));
  it("clusters a dense fleet when zoomed out, with the worst status of its members", () => {
    const clusters = new VehicleClusters();
    clusters.load(states);
    const items = clusters.items([120, 30, 135, 45], 6);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: "cluster", count: 1000, worst: "excursion" });
  });
  it("shows single vehicles when zoomed in", () => {
    const clusters = new VehicleClusters();
    clusters.load(states.slice(0, 3));
    const items = clusters.items([126, 36, 128, 38], 18);
    expect(items.map((i) => i.kind)).toEqual(["vehicle", "vehicle", "vehicle"]);
  });
});

it("numbers a plan's stops in order, a colour per route", () => {
  const drawn = routesToDraw(
    {
      plan_id: "p",
      status: "done",
      engine: "greedy",
      dropped: [],
      routes: [
        { vehicle_id: "a", distance_km: 1, stops: [
          { order_id: "o", kind: "pickup", location: [37.1, 127.1], arrival: "2026-12-01T00:00:00Z" },
          { order_id: "o", kind: "delivery", location: [37.2, 127.2], arrival: "2026-12-01T01:00:00Z" },
        ] },
        { vehicle_id: "idle", distance_km: 0, stops: [] },
      ],
    },
    ["red", "blue"],
  );
  expect(drawn).toHaveLength(1);
  expect(drawn[0].colour).toBe("red");
  expect(drawn[0].stops.map((s) => [s.latitude, s.longitude])).toEqual([[37.1, 127.1], [37.2, 127.2]]);
});

it("writes badge numbers in the colour that contrasts more", async () => {
  const { textOn } = await import("./map/contrast");
  expect(textOn("#e87722")).toBe("#000");
  expect(textOn("#0b3d5c")).toBe("#fff");
});
