package dev.toolgate.contract;

import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;

import dev.toolgate.call.ArgumentSchema;

/**
 * Checks and compiles the argument schemas of one contract: a schema must be valid JSON Schema 2020-12 (checked
 * against the meta-schema), have {@code type: object} at its root, name only known types, and compile with every
 * reference resolved inside the contract; nothing is ever fetched over the network. A schema a tool declares for
 * itself is held to the same rules under the draft its {@code $schema} names ({@link Dialects#DECLARED}).
 */
final class SchemaCompiler {

    /** Which dialects a schema may be written in. */
    enum Dialects {
        /** The contract's own schemas: JSON Schema 2020-12; a {@code $schema} naming another dialect is a problem. */
        CONTRACT,
        /**
         * A schema a tool declares: the draft its {@code $schema} names (see {@link SchemaDialects}), checked against
         * that draft's meta-schema and enforced as that draft means; 2020-12 when it names none. {@code format} is
         * asserted in every draft, as it is in the contract's schemas.
         */
        DECLARED
    }

    private static final String DIALECT = SpecificationVersion.DRAFT_2020_12.getDialectId();
    private static final Set<String> TYPES = Set.of("null", "boolean", "object", "array", "number", "string",
            "integer");
    /** Keywords whose value is one schema. */
    private static final Set<String> SCHEMA = Set.of("items", "additionalItems", "additionalProperties",
            "unevaluatedItems", "unevaluatedProperties", "contains", "propertyNames", "not", "if", "then", "else",
            "contentSchema");
    /** Keywords whose value maps names to schemas. */
    private static final Set<String> SCHEMA_MAP = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas");
    /** Keywords whose value is a list of schemas. */
    private static final Set<String> SCHEMA_LIST = Set.of("allOf", "anyOf", "oneOf", "prefixItems", "items");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dialects dialects;
    private final SchemaRegistry registry;
    /** The meta-schema of each draft met so far. */
    private final Map<SpecificationVersion, Schema> metas = new EnumMap<>(SpecificationVersion.class);
    private int compiled;

    /** A compiler of the contract's own schemas. */
    SchemaCompiler() {
        this(Dialects.CONTRACT);
    }

    SchemaCompiler(Dialects dialects) {
        this.dialects = dialects;
        SchemaRegistryConfig.Builder config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .preloadSchema(true)
                // format is asserted in every draft, in the contract's schemas and the tools' own: an argument that
                // says it is an email, a URI or a date-time is one (2020-12 would only annotate it by default)
                .formatAssertionsEnabled(true);
        // one registry per load, so that a reload starts from an empty cache
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> {
            builder.schemaLoader(loader -> loader.fetchRemoteResources(false))
                    .schemaRegistryConfig(config.build());
            if (dialects == Dialects.DECLARED) {
                builder.dialectRegistry(SchemaDialects.declared());
            }
        });
    }

    /** The compiled schema, or empty when it has problems (which are reported at {@code path}). */
    Optional<ArgumentSchema> compile(JsonNode schema, String path, LoadErrors problems) {
        if (!schema.isObject()) {
            problems.add(path, "must be a mapping");
            return Optional.empty();
        }
        int before = problems.count();
        Optional<SpecificationVersion> version = version(schema.get("$schema"), path, problems);
        if (version.isEmpty()) {
            return Optional.empty();
        }
        if (!"object".equals(schema.path("type").textValue())) {
            problems.add(path, "must have type: object at its root");
        }
        Set<String> badTypes = new LinkedHashSet<>();
        List<String> typePointers = new ArrayList<>();
        types(schema, "", badTypes, typePointers);
        badTypes.forEach(type -> problems.add(path, "unknown type \"" + type + "\""));
        String json = json(schema);
        Schema meta = metas.computeIfAbsent(version.get(),
                v -> registry.getSchema(SchemaLocation.of(v.getDialectId())));
        meta.validate(json, InputFormat.JSON).stream()
                // the meta-schema's own formats (a pattern's regex, an $id's URI) are checked when the schema compiles,
                // with a message that names the problem
                .filter(error -> !"format".equals(error.getKeyword()))
                .filter(error -> !under(JsonArgumentSchema.pointer(error.getInstanceLocation()), typePointers))
                .map(JsonArgumentSchema::describe)
                .distinct()
                .forEach(message -> problems.add(path, message));
        if (problems.count() != before) {
            return Optional.empty();
        }
        try {
            // as it came: networknt reads each spelling of a dialect id that SchemaDialects accepts as that same draft
            Schema compiledSchema = registry.getSchema(SchemaLocation.of("urn:toolgate:schema:" + compiled++), json,
                    InputFormat.JSON);
            compiledSchema.initializeValidators();
            return Optional.of(new JsonArgumentSchema(compiledSchema));
        } catch (RuntimeException e) {
            problems.add(path, describe(e));
            return Optional.empty();
        }
    }

    /**
     * The draft a schema is compiled under, or empty (with a problem) when a declared schema names an unknown dialect.
     * A contract's schema is always 2020-12: naming another dialect is a problem, and its other problems are found
     * too.
     */
    private Optional<SpecificationVersion> version(JsonNode dialect, String path, LoadErrors problems) {
        if (dialect == null) {
            return Optional.of(SpecificationVersion.DRAFT_2020_12);
        }
        if (dialects == Dialects.CONTRACT) {
            if (!(dialect.isTextual() && dialect.textValue().replaceFirst("#$", "").equals(DIALECT))) {
                problems.add(path, "/$schema: must be " + DIALECT + " when given");
            }
            return Optional.of(SpecificationVersion.DRAFT_2020_12);
        }
        Optional<SpecificationVersion> named = dialect.isTextual() ? SchemaDialects.named(dialect.textValue())
                : Optional.empty();
        if (named.isEmpty()) {
            problems.add(path, "/$schema: unknown dialect " + dialect + ", expected JSON Schema draft-04, draft-06, "
                    + "draft-07, 2019-09 or 2020-12");
        }
        return named;
    }

    /** Finds the unknown names of every {@code type} keyword in a schema position. */
    private static void types(JsonNode schema, String pointer, Set<String> bad, List<String> pointers) {
        if (!schema.isObject()) {
            return;
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            List<JsonNode> names = type.isArray() ? type.valueStream().toList() : List.of(type);
            List<String> unknown = names.stream().filter(JsonNode::isTextual).map(JsonNode::textValue)
                    .filter(name -> !TYPES.contains(name)).toList();
            if (!unknown.isEmpty()) {
                bad.addAll(unknown);
                pointers.add(pointer + "/type");
            }
        }
        for (Map.Entry<String, JsonNode> member : schema.properties()) {
            String keyword = member.getKey();
            JsonNode value = member.getValue();
            String at = pointer + "/" + escape(keyword);
            if (SCHEMA.contains(keyword)) {
                types(value, at, bad, pointers);
            }
            if (SCHEMA_MAP.contains(keyword) && value.isObject()) {
                for (Map.Entry<String, JsonNode> entry : value.properties()) {
                    types(entry.getValue(), at + "/" + escape(entry.getKey()), bad, pointers);
                }
            }
            if (SCHEMA_LIST.contains(keyword) && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    types(value.get(i), at + "/" + i, bad, pointers);
                }
            }
        }
    }

    private static boolean under(String pointer, List<String> prefixes) {
        return prefixes.stream().anyMatch(p -> pointer.equals(p) || pointer.startsWith(p + "/"));
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static String describe(RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof FileNotFoundException missing) {
            return "cannot resolve $ref \"" + missing.getMessage()
                    + "\": only references into the same schema are allowed";
        }
        if (cause instanceof PatternSyntaxException regex) {
            return "invalid regular expression \"" + regex.getPattern() + "\": " + regex.getDescription();
        }
        String message = String.valueOf(cause.getMessage());
        return "cannot be compiled: " + message.lines().findFirst().orElse(message);
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
