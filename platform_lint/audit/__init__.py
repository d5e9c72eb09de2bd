"""Bulk audit: many repositories, each scanned at one commit by the engine's pure
`scan_files`, results kept in a SQLite store and reported per repository, rule
and owning team.

inventory -> tasks -> executor (process pool or Dask) -> unit (fetch, read the
commit, scan) -> the parent writes the store -> reports.
"""
