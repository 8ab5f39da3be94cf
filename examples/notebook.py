"""What a notebook user writes: import the sample photos shipped in the repository, page
through them, look at them as a DataFrame, and plot something simple.

    bash scripts/py_env.sh && .venv/bin/python examples/notebook.py

Plots need matplotlib (`pip install matplotlib`); without it the plot is left out.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import photocat

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "tests" / "data" / "photos"


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="photocat-notebook-"))
    with photocat.Catalog.open(out / "photos.redb") as cat:
        # 1. Import: every core reads files; progress arrives on this thread.
        def progress(done: int, total: int) -> None:
            print(f"\rimporting {done}/{total}", end="", file=sys.stderr)

        report = cat.import_paths([PHOTOS], progress=progress)
        print(file=sys.stderr)
        print(report)
        for path, reason in report.failed:
            print(f"  not imported: {Path(path).name}: {reason}")

        # 2. Page through the catalogue, newest first.
        page = cat.list_assets(limit=5)
        for a in page.data:
            print(f"{a.local_datetime:%Y-%m-%d %H:%M}  {a.original_file_name:32} {a.width}x{a.height}")
        print("more:", page.has_more)
        everything = [a for a in cat.iter_assets(page_size=50)]
        print(f"{len(everything)} assets in all")

        # 3. As a DataFrame: one row an asset, EXIF flattened, datetime dtypes.
        df = cat.list_assets(limit=200).to_pandas()
        print(df[["original_file_name", "local_datetime", "exif_make", "exif_model", "width", "height"]].to_string())
        by_make = df.groupby(df["exif_make"].fillna("unknown")).size().sort_values(ascending=False)
        print(by_make.to_string())
        # A frame's Timestamps (and numpy.datetime64 values) go straight back in as bounds.
        newest = df["local_datetime"].max()
        older = cat.list_assets(local_datetime_before=newest, limit=200)
        print(f"{len(older)} assets before {newest}")
        for v in (a for a in cat.iter_assets() if a.duration is not None):
            print(f"video {v.original_file_name}: {v.duration.total_seconds():.2f} s")  # a timedelta

        # 4. Plot: photos per camera maker (if matplotlib is installed).
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no plot (pip install matplotlib)")
            return
        ax = by_make.plot.barh(title="Sample photos by camera maker")
        ax.set_xlabel("photos")
        plt.tight_layout()
        png = out / "by_make.png"
        plt.savefig(png)
        print("plot written to", png)


if __name__ == "__main__":
    main()
