"""Pure text processing: cleaning, metadata extraction and Arabic analysis (no Django imports)."""
