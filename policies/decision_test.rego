package toolgate_test

import data.toolgate

base := {
	"principal": {"agent": "support-bot", "tenant": "acme", "workflow": "billing", "roles": [], "authenticated_by": "api_key"},
	"call": {"protocol": "http", "tool": "payments", "action": "refunds.create", "args": {"charge": "ch_1", "amount_usd_micros": 1000000, "tenant": "acme"}, "run_id": "", "mode": "enforce"},
	"tool": {"risk": "high", "reversible": true, "data_classes": ["pci"]},
	"context": {
		"time": "2026-05-04T10:00:00Z", "environment": "prod",
		"clock": {"weekday": "mon", "time": "10:00"},
		"change_window": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"},
	},
	"usage": {"run_spent_usd_micros": 0, "budgets": [], "rate": []},
}

refund(args) := object.union(base, {"call": object.union(base.call, {"args": object.union(base.call.args, args)})})

deployment(env, weekday, clock) := object.union(base, {
	"principal": object.union(base.principal, {"agent": "release-bot"}),
	"call": object.union(base.call, {"tool": "deploy", "action": "deployments.create", "args": {"service": "api", "environment": env}}),
	"context": object.union(base.context, {"clock": {"weekday": weekday, "time": clock}}),
})

test_small_refund_runs_unattended if {
	d := toolgate.decision with input as base
	d.allow
	d.approval == "none"
}

test_refund_at_the_limit_runs_unattended if {
	d := toolgate.decision with input as refund({"amount_usd_micros": 50000000})
	d.allow
	d.approval == "none"
}

test_refund_one_micro_over_the_limit_needs_approval if {
	d := toolgate.decision with input as refund({"amount_usd_micros": 50000001})
	d.allow
	d.approval == "required"
}

test_huge_refund_needs_two_approvers if {
	d := toolgate.decision with input as refund({"amount_usd_micros": 1000000001})
	d.approval == "dual"
}

test_refund_for_another_tenant_is_denied if {
	d := toolgate.decision with input as refund({"tenant": "globex"})
	not d.allow
	d.reasons == ["refund tenant \"globex\" is not the caller's tenant \"acme\""]
}

test_refund_without_tenant_is_denied if {
	d := toolgate.decision with input as json.remove(base, ["call/args/tenant"])
	not d.allow
	d.reasons == ["refund tenant is missing or not a string"]
}

test_refund_of_a_fraction_of_a_micro_dollar_is_denied if {
	d := toolgate.decision with input as refund({"amount_usd_micros": 0.5})
	not d.allow
}

test_refund_without_amount_is_denied if {
	d := toolgate.decision with input as json.remove(base, ["call/args/amount_usd_micros"])
	not d.allow
}

test_prod_deploy_inside_the_window_is_allowed if {
	d := toolgate.decision with input as deployment("prod", "tue", "16:59")
	d.allow
}

test_prod_deploy_after_the_window_is_denied if {
	d := toolgate.decision with input as deployment("prod", "tue", "17:00")
	not d.allow
}

test_prod_deploy_on_a_weekend_is_denied if {
	d := toolgate.decision with input as deployment("prod", "sat", "10:00")
	not d.allow
}

test_staging_deploy_any_time_is_allowed if {
	d := toolgate.decision with input as deployment("staging", "sun", "03:00")
	d.allow
}

test_prod_deploy_without_a_window_is_denied if {
	inp := deployment("prod", "mon", "10:00")
	d := toolgate.decision with input as json.remove(inp, ["context/change_window"])
	not d.allow
}

test_sensitive_fields_are_redacted if {
	d := toolgate.decision with input as refund({"customer_email": "a@b.c", "card_number": "4111"})
	d.obligations.redact == ["/card_number", "/customer_email"]
}

test_missing_principal_is_denied if {
	d := toolgate.decision with input as {"call": base.call}
	not d.allow
}

test_empty_input_is_denied if {
	d := toolgate.decision with input as {}
	not d.allow
}

listing_of(tool, action, data_classes, roles) := json.patch(base, [
	{"op": "replace", "path": "/principal/roles", "value": roles},
	{"op": "replace", "path": "/call", "value": {"protocol": "mcp", "tool": tool, "action": action, "args": {}, "run_id": "", "mode": "list"}},
	{"op": "replace", "path": "/tool/data_classes", "value": data_classes},
])

test_refunds_are_listed_without_arguments if {
	d := toolgate.decision with input as listing_of("payments", "refunds.create", ["pci"], [])
	d.allow
}

test_a_refund_call_without_arguments_is_still_denied if {
	bare := json.patch(base, [{"op": "replace", "path": "/call/args", "value": {}}])
	d := toolgate.decision with input as bare
	not d.allow
}

test_secret_tools_need_the_secrets_reader_role if {
	d := toolgate.decision with input as listing_of("vault", "read_secret", ["secrets"], ["support"])
	not d.allow
	d.reasons == ["the tool handles secrets and the agent lacks the secrets-reader role"]
}

test_secret_tools_are_listed_for_secrets_readers if {
	d := toolgate.decision with input as listing_of("vault", "read_secret", ["secrets"], ["secrets-reader"])
	d.allow
}

test_secret_tool_calls_need_the_role_too if {
	call := object.union(base, {"call": object.union(base.call, {"tool": "vault", "action": "read_secret", "args": {}}), "tool": object.union(base.tool, {"data_classes": ["secrets"]})})
	not toolgate.decision.allow with input as call
}
