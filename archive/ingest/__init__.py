"""Readers for each input format, all feeding one pipeline that stores articles."""
