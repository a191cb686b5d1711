"""Analytics core of kotacerdas: event storage, synthetic data, backends and monitoring questions.

Pure Python + ibis (no Django imports) so that the same code runs inside the Django monitoring
app, a batch job, or a Spark driver. Modules:

* ``events``     - event schema, validation/quarantine, atomic partitioned Parquet appends
* ``generator``  - deterministic synthetic events (seasonality, lagging kecamatan, citizen pool)
* ``backends``   - ibis connections (DuckDB / PySpark / PostgreSQL) and the events table
* ``questions``  - the monitoring questions as backend-agnostic ibis expressions + ``run``
* ``reference``  - kecamatan/desa codes and (estimated) population from ``regions/data``
"""

from __future__ import annotations

from kotacerdas.analytics.reference import kecamatan_population

__all__ = ["kecamatan_population"]
