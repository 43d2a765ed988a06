"""Black-box conformance of the outbound runtime (and the REST connector) with Camunda's
published behaviour: each test cites the camunda/connectors source or docs.camunda.io page
whose fact it encodes."""
