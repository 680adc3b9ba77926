package dev.toolgate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of STYLE.md: a stage imports the core model ({@code call}), the {@code pipeline}, {@code config} and the
 * shared {@code store} connection, never another stage and never an ingress protocol; the core and {@code store} know
 * no stage. An ingress adapter reaches what decides only through the pipeline, shares web helpers through
 * {@code ingress.web} rather than another adapter, and reaches tools only through {@code forward}; no two classes
 * share a name.
 */
@AnalyzeClasses(packages = "dev.toolgate", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] STAGES = { "identity", "contract", "policy", "approval", "limits",
            "idempotency", "forward", "audit", "telemetry" };

    /** Server-side protocol APIs only ingress adapters may touch. */
    private static final String[] PROTOCOL_APIS = { "io.vertx.ext.web..", "io.vertx.core.http.HttpServer..",
            "io.vertx.core.http.HttpServerRequest", "io.vertx.core.http.HttpServerResponse", "jakarta.ws.rs..",
            "io.grpc..", "io.modelcontextprotocol.." };

    @ArchTest
    static final ArchRule stagesDoNotKnowEachOther = stageRule();

    @ArchTest
    static final ArchRule stagesDoNotKnowProtocols = noClasses()
            .that().resideInAnyPackage(packages(STAGES))
            .should().dependOnClassesThat().resideInAnyPackage(PROTOCOL_APIS)
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.toolgate.ingress..", "dev.toolgate.cli..",
                    "dev.toolgate.demo..")
            .because("only ingress adapters know a protocol");

    @ArchTest
    static final ArchRule coreKnowsNoStage = noClasses()
            .that().resideInAnyPackage("dev.toolgate.call..", "dev.toolgate.pipeline..", "dev.toolgate.config..")
            .should().dependOnClassesThat().resideInAnyPackage(packages(STAGES))
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.toolgate.ingress..", "dev.toolgate.cli..")
            .orShould().dependOnClassesThat().resideInAnyPackage(PROTOCOL_APIS)
            .because("the core model and the pipeline are protocol-neutral and stage-neutral");

    @ArchTest
    static final ArchRule storeKnowsNoStage = noClasses()
            .that().resideInAPackage("dev.toolgate.store..")
            .should().dependOnClassesThat().resideInAnyPackage(packages(STAGES))
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.toolgate.ingress..", "dev.toolgate.cli..")
            .because("the shared Redis connection serves every stage's store and belongs to none");

    /** The packages of what decides: an ingress reaches them through the pipeline's interfaces only. */
    private static final String[] DECIDING = { "identity", "contract", "policy", "approval", "limits", "idempotency",
            "audit", "telemetry" };

    @ArchTest
    static final ArchRule ingressReachesStagesOnlyThroughThePipeline = noClasses()
            .that().resideInAPackage("dev.toolgate.ingress..")
            .should().dependOnClassesThat().resideInAnyPackage(packages(DECIDING))
            .because("an ingress adapter translates; only the pipeline decides (ADR 0007, issue 10)");

    @ArchTest
    static final ArchRule ingressAdaptersDoNotKnowEachOther = ingressRule();

    @ArchTest
    static final ArchRule onlyForwardTalksToTools = noClasses()
            .that().resideOutsideOfPackages("dev.toolgate.forward..", "dev.toolgate.approval..")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.vertx.core.http.HttpClient")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.core.http.HttpClientOptions")
            .because("one upstream client in forward serves every protocol (the approval webhook is no tool)");

    /** No two classes share a simple name: a name says one job (STYLE.md 19). */
    @ArchTest
    static void oneNameOneClass(JavaClasses classes) {
        java.util.Map<String, java.util.List<String>> byName = new java.util.TreeMap<>();
        for (JavaClass c : classes) {
            if (c.isTopLevelClass() && !c.getSimpleName().equals("package-info")) {
                byName.computeIfAbsent(c.getSimpleName(), n -> new java.util.ArrayList<>()).add(c.getName());
            }
        }
        java.util.List<String> shared = byName.values().stream().filter(names -> names.size() > 1)
                .map(Object::toString).toList();
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), shared, "classes sharing a simple name");
    }

    private static ArchRule ingressRule() {
        String[] adapters = { "http", "mcp", "check", "grpc" };
        ArchRule rule = null;
        for (String adapter : adapters) {
            String[] others = java.util.Arrays.stream(adapters).filter(a -> !a.equals(adapter))
                    .map(a -> "dev.toolgate.ingress." + a + "..").toArray(String[]::new);
            ArchRule one = noClasses().that().resideInAPackage("dev.toolgate.ingress." + adapter + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("what adapters share lives in ingress.web");
            rule = rule == null ? one : com.tngtech.archunit.lang.CompositeArchRule.of(rule).and(one);
        }
        return rule;
    }

    private static ArchRule stageRule() {
        ArchRule rule = null;
        for (String stage : STAGES) {
            String[] others = java.util.Arrays.stream(STAGES).filter(s -> !s.equals(stage))
                    .map(s -> "dev.toolgate." + s + "..").toArray(String[]::new);
            ArchRule one = noClasses().that().resideInAPackage("dev.toolgate." + stage + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("a stage talks to others only through the call and the pipeline")
                    .allowEmptyShould(true);
            rule = rule == null ? one : com.tngtech.archunit.lang.CompositeArchRule.of(rule).and(one);
        }
        return rule;
    }

    private static String[] packages(String[] stages) {
        return java.util.Arrays.stream(stages).map(s -> "dev.toolgate." + s + "..").toArray(String[]::new);
    }
}
