"""Exit codes of every ``switchboard`` command: one table (docs/cli.md), none of them 2 except
argparse's own usage error, so a script can tell "you called it wrong" from "it ran and
answered". The numbers above 63 are BSD ``sysexits.h``'s."""

from __future__ import annotations

OK = 0
FAILED = 1  # the command ran and the operation failed (invoke: the job failed)
ARGPARSE_USAGE = 2  # argparse alone: unknown option, missing argument, no command
BPMN_ERROR = 3  # invoke: the job threw a BPMN error
USAGE = 64  # EX_USAGE: arguments the command itself refuses (bad JSON, unknown type, file)
DATA = 65  # EX_DATAERR: input data refused (a name or role the database would not take)
UNAVAILABLE = 69  # EX_UNAVAILABLE: a service did not answer (database, Vault, Zeebe, server)
CONFIG = 78  # EX_CONFIG: a setting is invalid or missing
INTERRUPTED = 130  # Ctrl-C

TABLE = {
    OK: "success (invoke: the job completed)",
    FAILED: "the operation failed (invoke: the job failed)",
    ARGPARSE_USAGE: "usage error found by the argument parser",
    BPMN_ERROR: "invoke: the job threw a BPMN error",
    USAGE: "arguments the command refuses",
    DATA: "input data refused",
    UNAVAILABLE: "a service did not answer",
    CONFIG: "configuration error",
    INTERRUPTED: "interrupted",
}
