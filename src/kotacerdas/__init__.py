"""kotacerdas — evaluasi implementasi Smart City untuk kabupaten/kota Indonesia."""

__version__ = "0.1.0"
