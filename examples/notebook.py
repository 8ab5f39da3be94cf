"""What a notebook user writes: import the sample photos shipped in the repository, page
through them, then look at the whole catalogue as polars and pandas frames (built in Rust
from one Arrow stream) and plot a few things.

    bash scripts/py_env.sh && .venv/bin/python examples/notebook.py [OUTPUT_FOLDER]

The frames need polars and pandas (`pip install 'photocat[polars,pandas]'`); the plots need
matplotlib (`pip install matplotlib`): without it the tables are printed and the plots left
out. The catalogue and the PNG files go into OUTPUT_FOLDER (a new temporary folder when it
is not given).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import photocat

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "tests" / "data" / "photos"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with photocat.Catalog.open(out / "photos.redb") as cat:
        # 1. Import (once): every core reads files; progress arrives on this thread.
        def progress(done: int, total: int) -> None:
            print(f"\rimporting {done}/{total}", end="", file=sys.stderr)

        report = cat.import_paths([PHOTOS], progress=progress)
        print(file=sys.stderr)
        print(report)

        # 2. Page through the catalogue, newest first.
        page = cat.list_assets(limit=5)
        for a in page.data:
            print(f"{a.local_datetime:%Y-%m-%d %H:%M}  {a.original_file_name:32} {a.width}x{a.height}")

        # 3. The whole catalogue as one polars frame: one row an asset, EXIF flattened.
        import polars as pl

        df = cat.to_polars()
        print(f"{df.height} assets, {df.width} columns")
        by_month = (
            df.group_by(pl.col("local_datetime").dt.truncate("1mo").alias("month"))
            .len()
            .sort("month")
        )
        print("Assets per month:")
        print(by_month)
        cameras = (
            df.filter(pl.col("exif_make").is_not_null())
            .group_by("exif_make", "exif_model")
            .len()
            .sort(["len", "exif_make", "exif_model"], descending=[True, False, False])
            .head(10)
        )
        print("Top cameras:")
        print(cameras)

        # 4. The same rows in pandas (through pyarrow): the GPS points.
        frame = cat.to_pandas()
        gps = frame.dropna(subset=["exif_latitude", "exif_longitude"])
        print(f"{len(gps)} assets with GPS:")
        print(gps[["original_file_name", "exif_latitude", "exif_longitude"]].to_string(index=False))

        # 5. Plots, if matplotlib is installed.
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no plots (pip install matplotlib)")
            return
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.bar([m.strftime("%Y-%m") for m in by_month["month"].to_list()], by_month["len"].to_list())
        ax.set_title("Assets per month")
        ax.tick_params(axis="x", labelrotation=90)
        fig.tight_layout()
        fig.savefig(out / "months.png")
        fig, ax = plt.subplots(figsize=(8, 4))
        labels = [f"{make} {model or ''}".strip() for make, model in zip(cameras["exif_make"], cameras["exif_model"])]
        ax.barh(labels[::-1], cameras["len"].to_list()[::-1])
        ax.set_title("Top cameras")
        fig.tight_layout()
        fig.savefig(out / "cameras.png")
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.scatter(gps["exif_longitude"], gps["exif_latitude"])
        ax.set_xlim(-180, 180)
        ax.set_ylim(-90, 90)
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        ax.set_title("Where the photos were taken")
        fig.tight_layout()
        fig.savefig(out / "map.png")
        print("plots written to", out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="photocat-notebook-")))
