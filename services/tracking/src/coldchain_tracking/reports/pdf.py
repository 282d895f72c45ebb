"""The temperature record as a one-page PDF with a chart (ReportLab).

ReportLab draws both the page and the chart as vectors in one pure-Python library (BSD,
maintained since 2000), so tracking needs no plotting stack (matplotlib would bring numpy
and a raster backend into the service) and no browser. One page by construction: the
chart has a fixed size, and the lists of excursions and gaps are cut to a few lines with
a count of the rest (the JSON and CSV carry everything).
"""

from __future__ import annotations

import io
from datetime import datetime

from reportlab.graphics.charts.legends import LineLegend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coldchain_tracking.reports.document import RecordHeader
from coldchain_tracking.reports.record import OrderRecord, Verdict

_LINE_COLOURS = (colors.HexColor("#1f77b4"), colors.HexColor("#2ca02c"), colors.HexColor("#9467bd"))
_VERDICT_COLOUR = {
    Verdict.IN_BAND: colors.HexColor("#2e7d32"),
    Verdict.EXCURSION: colors.HexColor("#c62828"),
    Verdict.INCOMPLETE: colors.HexColor("#ef6c00"),
}
_MAX_LIST_ROWS = 6
_CHART_W, _CHART_H = 170 * mm, 70 * mm


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _grid(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _chart(record: OrderRecord) -> Drawing:
    """Readings per compartment over minutes since pick-up, with each band's limits dashed."""
    drawing = Drawing(_CHART_W, _CHART_H)
    plot = LinePlot()
    plot.x, plot.y = 30, 30
    plot.width, plot.height = int(_CHART_W - 130), int(_CHART_H - 45)
    series: list[list[tuple[float, float]]] = []
    names: list[str] = []
    span = max((record.end - record.start).total_seconds() / 60, 1.0)
    for c in record.compartments:
        points = [((r.at - record.start).total_seconds() / 60, r.celsius) for r in c.readings]
        if points:
            series.append(points)
            names.append(f"{c.channel}")
        if c.band is not None:
            for limit in (c.band.low, c.band.high):
                series.append([(0.0, limit), (span, limit)])
                names.append("")
    if not series:
        drawing.add(String(_CHART_W / 2, _CHART_H / 2, "no readings", textAnchor="middle"))
        return drawing
    plot.data = series
    line_index = 0
    for i, name in enumerate(names):
        line = plot.lines[i]
        if name:
            line.strokeColor = _LINE_COLOURS[line_index % len(_LINE_COLOURS)]
            line.strokeWidth = 1.2
            line_index += 1
        else:
            line.strokeColor = colors.red
            line.strokeDashArray = (3, 2)
            line.strokeWidth = 0.6
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = span
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    drawing.add(String(plot.x + plot.width / 2, 5, "minutes since pick-up", fontSize=7, textAnchor="middle"))
    drawing.add(String(2, plot.y + plot.height + 6, "°C", fontSize=7))
    legend = LineLegend()
    legend.x, legend.y = plot.x + plot.width + 15, plot.y + plot.height
    legend.fontSize = 7
    shown = [n for n in names if n]
    legend.colorNamePairs = [
        (_LINE_COLOURS[i % len(_LINE_COLOURS)], f"compartment {n}") for i, n in enumerate(shown)
    ] + [(colors.red, "band limits")]
    drawing.add(legend)
    return drawing


def _listed(title: str, header: list[str], rows: list[list[str]]) -> list[Flowable]:
    if not rows:
        return []
    shown = rows[:_MAX_LIST_ROWS]
    more = len(rows) - len(shown)
    flow: list[Flowable] = [Spacer(1, 3 * mm), _grid([header, *shown])]
    if more:
        flow.append(Paragraph(f"… and {more} more {title} (see the JSON or CSV record)", _STYLES["Normal"]))
    return flow


_STYLES = getSampleStyleSheet()


def as_pdf(header: RecordHeader, record: OrderRecord) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Temperature record {header.order_number or header.order_id}",
        author="Coldchain",
    )
    verdict_style = _STYLES["Heading2"].clone("verdict", textColor=_VERDICT_COLOUR[record.verdict])
    facts = [
        ["Order", header.order_number or "-", "Order id", header.order_id],
        ["Vehicle", _fmt(header.vehicle_id), "Status", header.status],
        ["Zone", _fmt(header.zone), "Setpoint °C", _fmt(header.setpoint_celsius)],
        ["Picked up", _fmt(header.picked_up_at), "On time", _fmt(header.pickup_on_time)],
        ["Delivered", _fmt(header.delivered_at), "On time", _fmt(header.delivery_on_time)],
        ["Recording interval", f"{header.recording_interval_s / 60:.0f} min", "", ""],
    ]
    summary = [
        ["Compartment", "Band °C", "Readings", "Min", "Max", "Mean", "Min. out of band", "Excursions", "Gaps"]
    ]
    for c in record.compartments:
        band = f"{c.band.low:g} … {c.band.high:g}" if c.band else "unmonitored"
        summary.append(
            [
                c.channel,
                band,
                str(len(c.readings)),
                _fmt(c.min_celsius),
                _fmt(c.max_celsius),
                _fmt(c.mean_celsius),
                _fmt(c.minutes_out_of_band),
                str(len(c.excursions)),
                str(len(c.gaps)),
            ]
        )
    excursions = [
        [c.channel, _fmt(e.started_at), _fmt(e.ended_at), _fmt(e.peak_celsius)]
        for c in record.compartments
        for e in c.excursions
    ]
    gaps = [
        [c.channel, _fmt(g.start), _fmt(g.end), f"{g.minutes:.1f}"]
        for c in record.compartments
        for g in c.gaps
    ]
    story: list[Flowable] = [
        Paragraph("Temperature record (in-transit log)", _STYLES["Title"]),
        _grid(facts, [30 * mm, 55 * mm, 25 * mm, 64 * mm]),
        Paragraph(f"Verdict: {record.verdict.value.replace('_', ' ')}", verdict_style),
        *[Paragraph(reason, _STYLES["Normal"]) for reason in record.reasons[:_MAX_LIST_ROWS]],
        Spacer(1, 2 * mm),
        _grid(summary),
        Spacer(1, 4 * mm),
        _chart(record),
        *_listed("excursions", ["Compartment", "Started", "Ended", "Peak °C"], excursions),
        *_listed("gaps", ["Compartment", "From", "To", "Minutes"], gaps),
    ]
    doc.build(story)
    return out.getvalue()
