"""The answer base (issue 16): entries written from answered questions, searched by the desk and the public."""
