/** A compartment's temperatures over time as SVG: the line (gaps where no reading came),
 * the band's limits dashed, and its extremes and ends written out for screen readers. */
import { type Series, frameOf, pathOf, summary, yOf } from "../charts";
import { useUi } from "../context";
import { formatCelsius } from "../i18n";

interface Props {
  series: Series;
  low?: number | null;
  high?: number | null;
  /** A sparkline: small, no axes, no caption. */
  spark?: boolean;
}

const SIZE = { chart: [360, 120], spark: [90, 24] } as const;

export function TempChart({ series, low, high, spark = false }: Props) {
  const { t, time } = useUi();
  const [width, height] = spark ? SIZE.spark : SIZE.chart;
  const frame = frameOf(series.points, [low, high], width, height);
  const stats = summary(series.points);
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  const label = stats
    ? `${series.channel}: ${t("min")} ${formatCelsius(stats.min)}, ${t("max")} ${formatCelsius(stats.max)}, ${t("last")} ${formatCelsius(stats.last)}`
    : `${series.channel}: ${t("no_readings")}`;
  const limit = (v: number | null | undefined, cls: string) =>
    typeof v === "number" ? <line class={cls} x1={0} x2={width} y1={yOf(v, frame)} y2={yOf(v, frame)} /> : null;
  const svg = (
    <svg
      class={spark ? "sparkline" : "chart"}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={label}
      data-channel={series.channel}
      data-points={series.points.length}
      preserveAspectRatio="none"
    >
      {limit(low, "band-limit")}
      {limit(high, "band-limit")}
      <path class="temp-line" d={pathOf(series.points, frame)} vector-effect="non-scaling-stroke" />
    </svg>
  );
  if (spark) return svg;
  return (
    <figure class="temp-chart" data-channel={series.channel}>
      <figcaption>
        <strong>{series.channel}</strong> · {label.slice(series.channel.length + 2)}
      </figcaption>
      <div class="chart-box">
        <span class="axis-y">
          <span>{formatCelsius(frame.v1)}</span>
          <span>{formatCelsius(frame.v0)}</span>
        </span>
        {svg}
      </div>
      {first && last && (
        <p class="axis-x">
          <span>{time(new Date(first.t).toISOString())}</span>
          <span>{time(new Date(last.t).toISOString())}</span>
        </p>
      )}
    </figure>
  );
}
