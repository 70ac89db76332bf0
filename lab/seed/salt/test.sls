@TMP@/example:
  file.managed:
    - source: salt://example
