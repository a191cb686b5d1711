"""Installation-wide operations: the demo (load and archive), backup/restore, serving and the job worker.
The one app allowed to import every other one; `core` is the ground, `ops` the roof."""
