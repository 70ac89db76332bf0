run_state:
  local.state.sls:
    - tgt: {{ data['id'] }}
    - arg:
      - test
run_init:
  local.cmd.run:
    - tgt: {{ data['id'] }}
    - arg:
      - echo initsok >> /tmp/cpis
