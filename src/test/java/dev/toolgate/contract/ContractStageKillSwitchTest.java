package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.pipeline.StageResult;

class ContractStageKillSwitchTest {

    @Test
    void stopsEveryCallOfAToolByTool() {
        // given
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {tool: deploy, reason: incident 4711}
                """);

        // when
        Denial denial = Calls.denial(Calls.run(contract, Calls.call("release-bot", "deploy", "POST", "/deployments")));

        // then
        assertEquals(Denial.of(Reason.KILL_SWITCH, "kill switch tool=deploy is engaged: incident 4711"), denial);
    }

    @Test
    void stopsEveryAgentOfATenantByTenant() {
        // given
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {tenant: acme, reason: tenant suspended}
                """);

        // when
        StageResult support = Calls.run(contract, Calls.call("support-bot", "payments", "GET", "/charges/ch_1"));
        StageResult auditor = Calls.run(contract, Calls.call("auditor-bot", "ledger", "GET", "/entries"));
        StageResult release = Calls.run(contract, Calls.call("release-bot", "deploy", "POST", "/deployments"));

        // then
        assertEquals(Denial.of(Reason.KILL_SWITCH, "kill switch tenant=acme is engaged: tenant suspended"),
                Calls.denial(support));
        assertEquals(Reason.KILL_SWITCH, Calls.denial(auditor).reason());
        assertEquals("deployments.create", Calls.resolved(release).action().name(), "other tenants go on");
    }

    @Test
    void stopsOneAgentByAgent() {
        // given
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {agent: support-bot, reason: prompt injection suspected}
                """);

        // when
        StageResult support = Calls.run(contract, Calls.call("support-bot", "payments", "GET", "/charges/ch_1"));
        StageResult auditor = Calls.run(contract, Calls.call("auditor-bot", "payments", "GET", "/charges/ch_1"));

        // then
        assertEquals(Denial.of(Reason.KILL_SWITCH,
                "kill switch agent=support-bot is engaged: prompt injection suspected"), Calls.denial(support));
        assertEquals("charges.get", Calls.resolved(auditor).action().name());
    }

    @Test
    void stopsAWorkflowByWorkflow() {
        // given
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {workflow: billing-dispute, reason: workflow under review}
                """);

        // when
        StageResult support = Calls.run(contract, Calls.call("support-bot", "payments", "GET", "/charges/ch_1"));
        StageResult auditor = Calls.run(contract, Calls.call("auditor-bot", "payments", "GET", "/charges/ch_1"));

        // then
        assertEquals(Denial.of(Reason.KILL_SWITCH,
                "kill switch workflow=billing-dispute is engaged: workflow under review"), Calls.denial(support));
        assertEquals("charges.get", Calls.resolved(auditor).action().name(), "auditor-bot has no workflow");
    }

    @Test
    void stopsOnlyCallsMatchingEverySelector() {
        // given
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {tool: payments, tenant: globex, reason: r}
                """);

        // when
        StageResult acme = Calls.run(contract, Calls.call("support-bot", "payments", "GET", "/charges/ch_1"));

        // then
        assertEquals("charges.get", Calls.resolved(acme).action().name());
    }

    @Test
    void aKillSwitchStopsTheCallBeforeItsPathIsLookedAt() {
        // given
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {tool: payments, reason: incident 1}
                """);

        // when
        Denial denial = Calls.denial(Calls.run(contract, Calls.call("support-bot", "payments", "GET", "/../admin")));

        // then
        assertEquals(Reason.KILL_SWITCH, denial.reason());
    }

    @Test
    void anUngrantedToolIsNotGrantedEvenWhenKilled() {
        // given: the denial must not reveal that the tool exists
        Contract contract = Calls.contractWith("""
                kill_switches:
                  - {tool: deploy, reason: incident 2}
                """);

        // when
        Denial denial = Calls.denial(Calls.run(contract, Calls.call("auditor-bot", "deploy", "POST", "/deployments")));

        // then
        assertEquals(Reason.TOOL_NOT_GRANTED, denial.reason());
    }
}
