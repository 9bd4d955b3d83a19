"""One reader per input kind; ``ingest.readers`` picks the reader from the content."""
