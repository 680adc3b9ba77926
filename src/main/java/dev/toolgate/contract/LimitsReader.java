package dev.toolgate.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.RateLimitSpec;
import dev.toolgate.call.Selector;

/** Reads the contract's {@code limits}: rate limits and spend caps (budgets), with the calls they select. */
final class LimitsReader {

    private static final String PATH = "limits";
    private static final List<String> KEYS = List.of("rate", "budgets");
    private static final List<String> RATE_KEYS = List.of("name", "match", "per", "limit", "burst");
    private static final List<String> BUDGET_KEYS = List.of("name", "match", "per", "cap_usd_micros",
            "over_budget");
    private static final List<String> MATCH_KEYS = List.of("agent", "tool", "action", "tenant");
    private static final Pattern LIMIT = Pattern.compile("([0-9]{1,9})/" + Nodes.DURATION);
    /**
     * The shortest interval between two calls a limit may ask for: below it, period / N rounds towards nothing and a
     * limit would silently stop limiting.
     */
    private static final Duration FINEST_INTERVAL = Duration.ofNanos(1_000);

    private final LoadErrors problems;
    private final Nodes nodes;
    private final Declarations declared;
    private final List<RateLimitSpec> rateLimits = new ArrayList<>();
    private final List<BudgetSpec> budgets = new ArrayList<>();

    LimitsReader(LoadErrors problems, Nodes nodes, Declarations declared) {
        this.problems = problems;
        this.nodes = nodes;
        this.declared = declared;
    }

    /** Reads the {@code limits} mapping; its valid entries are then in {@link #rateLimits()} and {@link #budgets()}. */
    void read(JsonNode section) {
        nodes.mapping(section, PATH, KEYS);
        nodes.list(section, PATH, "rate", false).ifPresent(this::rates);
        nodes.list(section, PATH, "budgets", false).ifPresent(this::budgets);
    }

    List<RateLimitSpec> rateLimits() {
        return List.copyOf(rateLimits);
    }

    List<BudgetSpec> budgets() {
        return List.copyOf(budgets);
    }

    private void rates(JsonNode list) {
        Map<String, Integer> names = new HashMap<>();
        String listPath = LoadErrors.key(PATH, "rate");
        for (int i = 0; i < list.size(); i++) {
            String path = LoadErrors.index(listPath, i);
            JsonNode node = list.get(i);
            if (!nodes.mapping(node, path, RATE_KEYS)) {
                continue;
            }
            int before = problems.count();
            Optional<String> name = name(node, listPath, i, names, "rate limit");
            Selector selector = selector(node, path);
            Optional<RateLimitSpec.Subject> per = nodes.choice(node, path, "per", true, RateLimitSpec.Subject.class);
            Optional<Rate> rate = nodes.member(node, path, "limit", true)
                    .flatMap(limit -> rate(limit, LoadErrors.key(path, "limit")));
            Optional<Long> burst = nodes.integer(node, path, "burst", false, 1, Nodes.MAX_EXACT);
            if (problems.count() == before) {
                Rate r = rate.orElseThrow();
                rateLimits.add(new RateLimitSpec(name.orElseThrow(), selector, per.orElseThrow(), r.permits(),
                        r.period(), burst.orElse(r.permits())));
            }
        }
    }

    private record Rate(long permits, Duration period) {
    }

    private Optional<Rate> rate(JsonNode limit, String path) {
        Matcher m = LIMIT.matcher(limit.isTextual() ? limit.textValue() : "");
        if (!m.matches()) {
            problems.add(path, "must be N/duration, e.g. 10/1s");
            return Optional.empty();
        }
        long permits = Long.parseLong(m.group(1));
        Duration period = Nodes.duration(Long.parseLong(m.group(2)), m.group(3));
        if (permits < 1) {
            problems.add(path, "must allow at least 1 call per period");
            return Optional.empty();
        }
        if (period.isZero()) {
            problems.add(path, "the period must be greater than 0");
            return Optional.empty();
        }
        if (period.dividedBy(permits).compareTo(FINEST_INTERVAL) < 0) {
            problems.add(path, "must not allow more than 1 call per microsecond");
            return Optional.empty();
        }
        return Optional.of(new Rate(permits, period));
    }

    private void budgets(JsonNode list) {
        Map<String, Integer> names = new HashMap<>();
        String listPath = LoadErrors.key(PATH, "budgets");
        for (int i = 0; i < list.size(); i++) {
            String path = LoadErrors.index(listPath, i);
            JsonNode node = list.get(i);
            if (!nodes.mapping(node, path, BUDGET_KEYS)) {
                continue;
            }
            int before = problems.count();
            Optional<String> name = name(node, listPath, i, names, "budget");
            int beforeSelector = problems.count();
            Selector selector = selector(node, path);
            boolean selectorValid = problems.count() == beforeSelector;
            Optional<BudgetSpec.Scope> per = nodes.choice(node, path, "per", true, BudgetSpec.Scope.class);
            Optional<Long> cap = nodes.integer(node, path, "cap_usd_micros", true, 0, Nodes.MAX_EXACT);
            Optional<BudgetSpec.OverBudget> overBudget = nodes.choice(node, path, "over_budget", true,
                    BudgetSpec.OverBudget.class);
            if (selectorValid && overBudget.equals(Optional.of(BudgetSpec.OverBudget.DEGRADE))) {
                everyMatchedActionHasAFallback(selector, LoadErrors.key(path, "over_budget"));
            }
            if (problems.count() == before) {
                budgets.add(new BudgetSpec(name.orElseThrow(), selector, per.orElseThrow(), cap.orElseThrow(),
                        overBudget.orElseThrow()));
            }
        }
    }

    /**
     * A degraded call goes to its action's fallback, so every action the budget can match needs one. Only the tool and
     * action selectors narrow the actions, so that whether a budget is valid does not depend on the grants.
     */
    private void everyMatchedActionHasAFallback(Selector selector, String path) {
        declared.actions().stream()
                .filter(a -> selector.tool().map(a.tool()::equals).orElse(true))
                .filter(a -> selector.action().map(a.name()::equals).orElse(true))
                .filter(a -> !a.hasFallback())
                .findFirst()
                .ifPresent(a -> problems.add(path, "degrade needs a fallback on every action the budget matches; "
                        + a.path() + " (" + a.name() + ") has none"));
    }

    /** The entry's name, when valid and not taken by an earlier entry of the same list. */
    private Optional<String> name(JsonNode node, String listPath, int index, Map<String, Integer> names,
            String kind) {
        String path = LoadErrors.index(listPath, index);
        String at = LoadErrors.key(path, "name");
        Optional<String> name = nodes.string(node, path, "name", true).filter(n -> nodes.name(n, at));
        Integer first = name.map(n -> names.putIfAbsent(n, index)).orElse(null);
        if (first != null) {
            problems.add(at, "duplicate " + kind + " name \"" + name.get() + "\" (also "
                    + LoadErrors.index(listPath, first) + ")");
            return Optional.empty();
        }
        return name;
    }

    /** The entry's {@code match}; {@link Selector#ALL} when absent. */
    private Selector selector(JsonNode node, String path) {
        String at = LoadErrors.key(path, "match");
        Optional<JsonNode> match = nodes.member(node, path, "match", false);
        if (match.isEmpty() || !nodes.mapping(match.get(), at, MATCH_KEYS)) {
            return Selector.ALL;
        }
        JsonNode m = match.get();
        Optional<String> agent = nodes.string(m, at, "agent", false);
        Optional<String> tool = nodes.string(m, at, "tool", false);
        Optional<String> action = nodes.string(m, at, "action", false);
        Optional<String> tenant = nodes.string(m, at, "tenant", false);
        agent.filter(a -> !declared.agent(a))
                .ifPresent(a -> problems.add(LoadErrors.key(at, "agent"), "unknown agent \"" + a + "\""));
        tool.filter(t -> !declared.tool(t))
                .ifPresent(t -> problems.add(LoadErrors.key(at, "tool"), "unknown tool \"" + t + "\""));
        if (action.isPresent() && !m.hasNonNull("tool")) {
            // an action name is unique only within its tool
            problems.add(LoadErrors.key(at, "action"), "needs a tool selector naming the action's tool");
        } else if (action.isPresent() && tool.filter(declared::tool).isPresent()
                && !declared.action(tool.get(), action.get())) {
            problems.add(LoadErrors.key(at, "action"),
                    "unknown action \"" + action.get() + "\" of tool \"" + tool.get() + "\"");
        }
        return new Selector(agent, tool, action, tenant);
    }
}
