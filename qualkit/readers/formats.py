"""Which file extensions hold which transcript format, and the old binary Office formats qualkit refuses."""

from __future__ import annotations

EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".md": "text", ".markdown": "text", ".text": "text",
    ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt",
    ".docx": "docx", ".odt": "odt", ".pdf": "pdf",
    ".html": "html", ".htm": "html", ".json": "json",
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".rtf": "rtf",
}

OLD_OFFICE = {".doc": "Word", ".xls": "Excel", ".ppt": "PowerPoint"}
RESAVE = {"Word": ".docx", "Excel": ".xlsx", "PowerPoint": ".pptx"}
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".svg", ".webp", ".heic"}
