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
