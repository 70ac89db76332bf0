/tmp/example:
  file.managed:
    - source: salt://example
