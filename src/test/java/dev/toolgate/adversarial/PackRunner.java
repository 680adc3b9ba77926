package dev.toolgate.adversarial;

import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;

/**
 * Turns the pack's scenarios of one world into dynamic tests and keeps the tally. Set
 * {@code -Dadversarial.only=<id or category/ prefix>} to play only matching scenarios. The tally lives in system
 * properties: each world's test runs in its own Quarkus class loader, and the overall line adds them up.
 */
final class PackRunner {

    // not under "toolgate.": Quarkus would read such system properties as configuration and refuse unknown ones
    private static final String TALLY = "adversarial-pack.tally.";

    private PackRunner() {
    }

    static Stream<DynamicTest> tests(PackWorld world) {
        String only = System.getProperty("adversarial.only", "");
        List<Scenario> scenarios = ScenarioFiles.all().stream().filter(s -> s.world() == world.name)
                .filter(s -> only.isEmpty() || s.id().equals(only) || s.id().startsWith(only)).toList();
        ScenarioPlayer player = new ScenarioPlayer(world);
        return scenarios.stream().map(s -> DynamicTest.dynamicTest(s.id(), () -> {
            try {
                player.play(s);
                count(world.name, s.category(), "passed");
            } catch (Throwable t) {
                count(world.name, s.category(), "failed");
                throw t;
            }
        }));
    }

    private static synchronized void count(PackWorld.Name world, String category, String outcome) {
        String key = TALLY + world.name().toLowerCase(Locale.ROOT) + "." + category + "." + outcome;
        System.setProperty(key, String.valueOf(Integer.getInteger(key, 0) + 1));
    }

    /** Prints the world's count per category, its total and the total of every world played so far. */
    static synchronized void printSummary(PackWorld.Name world) {
        String prefix = TALLY + world.name().toLowerCase(Locale.ROOT) + ".";
        TreeMap<String, int[]> categories = new TreeMap<>();
        TreeMap<String, int[]> everywhere = new TreeMap<>();
        int[] all = new int[2];
        int[] here = new int[2];
        for (String key : System.getProperties().stringPropertyNames()) {
            if (!key.startsWith(TALLY)) {
                continue;
            }
            int n = Integer.getInteger(key, 0);
            int slot = key.endsWith(".passed") ? 0 : 1;
            all[slot] += n;
            String rest = key.substring(TALLY.length());
            String anyWorld = rest.substring(rest.indexOf('.') + 1, rest.lastIndexOf('.'));
            everywhere.computeIfAbsent(anyWorld, c -> new int[2])[slot] += n;
            if (key.startsWith(prefix)) {
                here[slot] += n;
                String category = key.substring(prefix.length(), key.lastIndexOf('.'));
                categories.computeIfAbsent(category, c -> new int[2])[slot] += n;
            }
        }
        StringBuilder out = new StringBuilder("\nadversarial pack, world " + world.name().toLowerCase(Locale.ROOT)
                + ":\n");
        categories.forEach((category, n) -> out.append(String.format("  %-12s %3d passed, %d failed%n", category,
                n[0], n[1])));
        out.append(String.format("  world total: %d passed, %d failed%n", here[0], here[1]));
        out.append("adversarial pack, every world played so far, by category:\n");
        everywhere.forEach((category, n) -> out.append(String.format("  %-12s %3d passed, %d failed%n", category,
                n[0], n[1])));
        out.append(String.format("adversarial pack, every world played so far: %d passed, %d failed%n", all[0],
                all[1]));
        System.out.println(out);
    }
}
