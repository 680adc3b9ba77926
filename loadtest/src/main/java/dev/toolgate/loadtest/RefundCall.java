package dev.toolgate.loadtest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.contract.ContractLoader;
import dev.toolgate.pipeline.CallContext;

/**
 * The demo's refund call, the input of every benchmark of the pieces of a call: {@code support-bot} of tenant
 * {@code acme} refunds US$2.50 of a charge with {@code POST /tools/payments/refunds}. The contract is the demo's
 * ({@code examples/demo/contract.yaml}) cut down to that agent and the payments tool, with the refund budget's cap
 * raised so that no benchmark ever reaches it: every call takes the allow path (the bundled policy allows refunds up to
 * US$50 unattended and redacts {@code customer_email}).
 */
final class RefundCall {

    static final String TENANT = "acme";
    /** The demo's API key of support-bot; the contract holds its SHA-256. */
    static final String CREDENTIAL = "Bearer demo-support-key";
    static final String BODY = """
            {"charge":"ch_3PqRsTuVwXyZ0123","amount_usd_micros":2500000,"tenant":"acme",\
            "customer_email":"jane.doe@example.com","note":"duplicate charge, customer asked twice"}""";

    static final String CONTRACT = """
            version: 1
            agents:
              support-bot:
                tenant: acme
                workflow: billing-dispute
                roles: [support]
                api_keys:
                  - sha256:a9e99ff0e3a6317a4c201ed8e7f5dff708661b4f565315a7b6800f9d8d091d0c   # demo-support-key
            tools:
              payments:
                upstream: http://127.0.0.1:9101
                risk: high
                reversible: true
                data_classes: [pci, pii]
                timeouts: {connect: 2s, request: 2s}
                actions:
                  - name: refunds.create
                    method: POST
                    path: /refunds
                    schema:
                      type: object
                      required: [charge, amount_usd_micros, tenant]
                      properties:
                        charge: {type: string, pattern: "^ch_[A-Za-z0-9_]{1,64}$"}
                        amount_usd_micros: {type: integer, minimum: 1}
                        tenant: {type: string, minLength: 1}
                        customer_email: {type: string, format: email}
                        note: {type: string, maxLength: 500}
                      additionalProperties: false
                    cost: {pointer: /amount_usd_micros}
            grants:
              support-bot:
                payments: [refunds.create]
            kill_switches: []
            limits:
              budgets:
                - name: refunds-per-day
                  match: {tool: payments, action: refunds.create}
                  per: workflow
                  cap_usd_micros: 1000000000000000   # US$1,000,000,000: never reached
                  over_budget: stop
            context:
              environment: demo
              change_window: {days: [sat], start: "02:00", end: "04:00"}
            """;

    static final Principal PRINCIPAL = new Principal("support-bot", TENANT, "billing-dispute", List.of("support"),
            AuthMethod.API_KEY);

    private static final ObjectMapper JSON = new ObjectMapper();

    final Contract contract = new ContractLoader().parse(CONTRACT, "sha256:benchmark");
    final ToolSpec tool = contract.tool("payments").orElseThrow();
    final ActionSpec action = tool.action("refunds.create").orElseThrow();
    final ObjectNode args;

    RefundCall() {
        try {
            args = (ObjectNode) JSON.readTree(BODY);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The call as the HTTP ingress hands it to the pipeline. */
    static ToolCall received(String id) {
        return ToolCall.received(id, Protocol.HTTP, "payments",
                new Invocation("POST", "/refunds", Map.of(), BODY.getBytes(StandardCharsets.UTF_8)),
                new Secret(CREDENTIAL), "run-7", Mode.ENFORCE, Instant.now());
    }

    /** The call as the policy stage gets it: identified, its action resolved and its arguments hashed. */
    ToolCall resolved(String id) {
        return received(id).withPrincipal(PRINCIPAL).withAction(ResolvedAction.of(tool, action, args, TENANT));
    }

    CallContext context() {
        return new CallContext(contract, "sha256:policy-benchmark");
    }
}
