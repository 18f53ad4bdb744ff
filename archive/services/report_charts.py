"""Biểu đồ of the periodic report: matplotlib (Agg, no display) → PNG bytes, put into the PDF by fpdf2.

matplotlib's object API (a Figure, never pyplot): thread-safe in a worker. One figure per report: records and documents per unit (bars), and the on-time share of the
deadlines due in the period (a second axis, dots). DejaVu Sans is matplotlib's own default
font, so Vietnamese unit names show their marks. Made in memory, never on disk.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure  # a bare Figure renders with Agg: no pyplot, no display, no global state


def units_chart(labels: list[str], records: list[int], documents: list[int],
                on_time: list[int | None]) -> bytes:
    """PNG of the per-unit bars (hồ sơ, tài liệu) and the on-time percentages."""
    fig = Figure(figsize=(7.5, 3.6), dpi=150)
    ax = fig.add_subplot(1, 1, 1)
    xs = list(range(len(labels)))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], records, width, label="Hồ sơ", color="#2b6cb0")
    ax.bar([x + width / 2 for x in xs], documents, width, label="Tài liệu", color="#9ac1e6")
    ax.set_xticks(xs, labels, rotation=20 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center",
                  fontsize=8)
    ax.set_ylabel("Số lượng")
    ax.yaxis.get_major_locator().set_params(integer=True)
    rate = ax.twinx()
    pts = [(x, v) for x, v in zip(xs, on_time) if v is not None]
    if pts:
        rate.plot([x for x, _ in pts], [v for _, v in pts], "o", color="#c05621", label="Đúng hạn (%)")
    rate.set_ylim(0, 105)
    rate.set_ylabel("Đúng hạn (%)")
    handles = ax.get_legend_handles_labels()
    more = rate.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], fontsize=8, loc="upper left")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
