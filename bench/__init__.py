"""onestop's benchmarks (`make bench`): whole-process measurements written to bench/RESULTS.md."""
