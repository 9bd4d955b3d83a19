"""One reader per input kind; ``detect`` picks the reader from the content."""
