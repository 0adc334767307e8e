"""The shared kernel: clocks and Vietnam time, HTTP errors and parameter parsing, input bounds, phone numbers."""
