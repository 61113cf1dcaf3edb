"""Imports: the XLSX entry workbook (download, upload, preview, commit) and the historic CSV format."""
