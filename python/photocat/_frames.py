"""The Python half of the data-science calls (``Catalog.to_arrow``, ``to_polars``,
``to_pandas``, ``AssetPage.to_pandas``): each reads a photocat ``ArrowStream`` (built in Rust,
see ``src/python/frames.rs``) with the library asked for. pyarrow, polars and pandas are
imported only here, inside these calls; a missing one raises ``ImportError`` naming it and the
extra that installs it. Nothing here decides what a row holds: the filters, the schema and the
order are the engine's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing only
    import pandas
    import polars

    from ._photocat import ArrowStream


def _need(module: str, call: str, extra: str) -> Any:
    """Imports ``module``, or raises ImportError saying which call needs it and how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{call} needs {module}: pip install 'photocat[{extra}]'", name=module) from e


def _table(stream: ArrowStream, call: str, extra: str) -> Any:
    pa = _need("pyarrow", call, extra)
    # read_all releases the interpreter while the batches are built (in Rust) and copied in.
    return pa.RecordBatchReader.from_stream(stream).read_all()


def to_arrow(stream: ArrowStream) -> Any:
    """``Catalog.to_arrow``: the stream as a ``pyarrow.Table``."""
    return _table(stream, "Catalog.to_arrow()", "pyarrow")


def to_polars(stream: ArrowStream) -> polars.DataFrame:
    """``Catalog.to_polars``: the stream as a ``polars.DataFrame`` (no pyarrow involved).

    ``polars.DataFrame(stream)``, not ``polars.from_arrow(stream)``: polars (2.1) reads any
    PyCapsule object given to ``from_arrow`` as one ``Series`` (of structs, here)."""
    pl = _need("polars", "Catalog.to_polars()", "polars")
    frame: polars.DataFrame = pl.DataFrame(stream)
    return frame


def _pandas(stream: ArrowStream, call: str) -> pandas.DataFrame:
    pd = _need("pandas", call, "pandas")
    table = _table(stream, call, "pandas")
    pa = _need("pyarrow", call, "pandas")
    # Integers stay integers with missing values as <NA> (numpy would turn a nullable int
    # column into float64); the mapping is by Arrow type, so the dtypes do not depend on the
    # data. Timestamps keep their microseconds (datetime64[us], with UTC for instants),
    # dictionary strings become categoricals, other strings pandas' default string dtype.
    nullable_ints = {pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}
    frame: pandas.DataFrame = table.to_pandas(types_mapper=nullable_ints.get)
    return frame


def to_pandas(stream: ArrowStream) -> pandas.DataFrame:
    """``Catalog.to_pandas``: the stream as a ``pandas.DataFrame``, through pyarrow."""
    return _pandas(stream, "Catalog.to_pandas()")


def page_to_pandas(stream: ArrowStream) -> pandas.DataFrame:
    """``AssetPage.to_pandas``: the page's one batch as a ``pandas.DataFrame``."""
    return _pandas(stream, "AssetPage.to_pandas()")
