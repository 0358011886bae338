"""Helpers the end-to-end tests share (never imported from one test file by another)."""
