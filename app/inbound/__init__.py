"""Engine-agnostic inbound core: BPMN elements -> registrations -> executables; webhook
requests and other events -> activation and correlation decisions -> engine commands."""
