"""Reports and interchange: the PDF *Laporan Hasil Evaluasi*, Excel worksheets and exports,
background report jobs, importers and the backup archive."""
