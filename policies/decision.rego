# toolgate's bundled policy. Entrypoint: toolgate/decision (see README.md for the input and decision documents).
package toolgate

# Refunds up to this many micro-dollars run unattended; above it a human signs off.
unattended_refund_limit := 50000000

# Refunds above this many micro-dollars need two distinct approvers.
dual_refund_limit := 1000000000

# Argument members that audit records and traces never keep.
sensitive_fields := {"card_number", "cvv", "customer_email", "ssn", "password", "api_token"}

default decision := {
	"allow": false,
	"reasons": ["no decision: the input is not a tool call"],
	"approval": "none",
	"obligations": {"redact": []},
}

decision := {
	"allow": count(deny) == 0,
	"reasons": reasons,
	"approval": approval,
	"obligations": {"redact": redact},
} if {
	is_string(input.principal.agent)
	input.principal.agent != ""
	is_string(input.call.tool)
}

reasons := sort(deny) if count(deny) > 0

else := sort(notes) if count(notes) > 0

else := ["allowed by default rules"]

redact := sort([sprintf("/%s", [k]) |
	some k, _ in input.call.args
	sensitive_fields[k]
])

refund if {
	input.call.tool == "payments"
	input.call.action == "refunds.create"
}

# A listing query (call.mode "list", e.g. an MCP tools/list): may the caller see the action at all? It has no
# arguments, so the rules about arguments wait for the call itself.
listing if input.call.mode == "list"

deploy if {
	input.call.tool == "deploy"
	input.call.action == "deployments.create"
}

# --- denials ---------------------------------------------------------------------------------------------------

deny contains msg if {
	refund
	not listing
	input.call.args.tenant != input.principal.tenant
	msg := sprintf("refund tenant %s is not the caller's tenant %s", [quoted(input.call.args.tenant), quoted(input.principal.tenant)])
}

deny contains "refund tenant is missing or not a string" if {
	refund
	not listing
	not valid_refund_tenant
}

# a helper rule: `not is_string(x)` on an undefined x does not fire as one would expect
valid_refund_tenant if is_string(input.call.args.tenant)

deny contains "refund amount must be a non-negative whole number of micro-dollars" if {
	refund
	not listing
	not valid_refund_amount
}

valid_refund_amount if {
	is_number(input.call.args.amount_usd_micros)
	input.call.args.amount_usd_micros >= 0
	floor(input.call.args.amount_usd_micros) == input.call.args.amount_usd_micros
}

deny contains msg if {
	deploy
	input.call.args.environment == "prod"
	not in_change_window
	msg := sprintf("deployment to prod outside the change window (%s %s UTC)", [input.context.clock.weekday, input.context.clock.time])
}

deny contains "the tool handles secrets and the agent lacks the secrets-reader role" if {
	"secrets" in input.tool.data_classes
	not "secrets-reader" in input.principal.roles
}

# Quotes a caller-supplied value for a reason. Not sprintf("%q"): OPA's Wasm sprintf does not escape the way Go's does,
# and toolgate's Wasm decision must equal `opa eval`'s word for word.
quoted(s) := concat("", ["\"", s, "\""]) if is_string(s)

else := "(not a string)"

# --- approval tiers --------------------------------------------------------------------------------------------

approval := "dual" if {
	refund
	input.call.args.amount_usd_micros > dual_refund_limit
} else := "required" if {
	refund
	input.call.args.amount_usd_micros > unattended_refund_limit
} else := "none"

notes contains "refund above the unattended limit needs approval" if approval == "required"

notes contains "refund above the dual-approval limit needs two approvers" if approval == "dual"

notes contains "refund within the unattended limit" if {
	refund
	approval == "none"
}

notes contains "deployment inside the change window" if {
	deploy
	input.call.args.environment == "prod"
	in_change_window
}

# --- change window ---------------------------------------------------------------------------------------------
# input.context.change_window: {"days": ["mon", ...], "start": "HH:MM", "end": "HH:MM"} (UTC, end exclusive)
# input.context.clock:         {"weekday": "mon", "time": "HH:MM"} (UTC), computed by toolgate from context.time

in_change_window if {
	window := input.context.change_window
	input.context.clock.weekday in window.days
	input.context.clock.time >= window.start
	input.context.clock.time < window.end
}
