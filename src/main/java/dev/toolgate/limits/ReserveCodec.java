package dev.toolgate.limits;

import java.util.ArrayList;
import java.util.List;

import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.BudgetState;
import dev.toolgate.limits.LimitsStore.Killed;
import dev.toolgate.limits.LimitsStore.OverBudget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.RateLimited;
import dev.toolgate.limits.LimitsStore.RateState;
import dev.toolgate.limits.LimitsStore.ReserveRequest;
import dev.toolgate.limits.LimitsStore.ReserveResult;
import dev.toolgate.limits.LimitsStore.Reserved;
import io.vertx.redis.client.Response;

/** A reservation as {@code reserve.lua}'s KEYS and ARGV, and its reply as a {@link ReserveResult}. */
final class ReserveCodec {

    private ReserveCodec() {
    }

    static List<String> keys(ReserveRequest request) {
        List<String> keys = new ArrayList<>(3 + request.rates().size() + request.budgets().size());
        keys.add(Keys.kill(request.tenant()));
        keys.add(Keys.reservation(request.tenant(), request.reservationId()));
        keys.add(Keys.leases(request.tenant()));
        request.rates().forEach(rate -> keys.add(rate.key()));
        request.budgets().forEach(budget -> keys.add(budget.key()));
        return keys;
    }

    static List<String> args(ReserveRequest request) {
        long now = Micros.of(request.now());
        List<String> args = new ArrayList<>(8 + request.killFields().size() + 2 * request.rates().size()
                + 3 * request.budgets().size());
        args.add(Long.toString(now));
        args.add(Long.toString(Math.addExact(now, Micros.of(request.lease()))));
        args.add(Long.toString(Math.max(1, request.lease().toMillis())));
        args.add(request.dryRun() ? "1" : "0");
        args.add(request.reservationId());
        args.add(Integer.toString(request.killFields().size()));
        args.add(Integer.toString(request.rates().size()));
        args.add(Integer.toString(request.budgets().size()));
        args.addAll(request.killFields());
        for (Rate rate : request.rates()) {
            args.add(Long.toString(Micros.of(rate.emissionInterval())));
            args.add(Long.toString(rate.burst()));
        }
        for (Budget budget : request.budgets()) {
            args.add(Long.toString(budget.capUsdMicros()));
            args.add(Long.toString(budget.amountUsdMicros()));
            args.add(Long.toString(budget.expiresAt().toEpochMilli()));
        }
        return args;
    }

    static ReserveResult result(ReserveRequest request, Response reply) {
        String tag = reply.get(0).toString();
        int rates = request.rates().size();
        return switch (tag) {
            case "killed" -> new Killed(reply.get(1).toString(), reply.get(2).toString());
            case "limited" -> new RateLimited(reply.get(1).toInteger(), Micros.duration(reply.get(2).toLong()),
                    rateStates(reply, 3, rates));
            case "over" -> new OverBudget(reply.get(1).toInteger(), budgetState(reply, 2));
            case "reserved" -> {
                List<BudgetState> budgets = new ArrayList<>(request.budgets().size());
                for (int j = 0; j < request.budgets().size(); j++) {
                    budgets.add(budgetState(reply, 1 + 2 * rates + 3 * j));
                }
                yield new Reserved(rateStates(reply, 1, rates), budgets);
            }
            default -> throw new LimitsUnavailableException("reserve.lua answered " + tag);
        };
    }

    private static List<RateState> rateStates(Response reply, int from, int count) {
        List<RateState> states = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            states.add(new RateState(reply.get(from + 2 * i).toLong(),
                    Micros.duration(reply.get(from + 2 * i + 1).toLong())));
        }
        return states;
    }

    private static BudgetState budgetState(Response reply, int from) {
        return new BudgetState(reply.get(from).toLong(), reply.get(from + 1).toLong(), reply.get(from + 2).toLong());
    }
}
