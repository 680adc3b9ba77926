package dev.toolgate.contract;

import java.io.IOException;
import java.util.Optional;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads the contract's YAML into a JSON tree. Whatever YAML would make ambiguous is an error rather than a guess:
 * duplicate keys, aliases (Jackson would turn {@code *x} into the string {@code "x"}), binary values and a second
 * document. Only {@code true} and {@code false} are booleans, so {@code tenant: no} stays the string {@code "no"}.
 */
final class YamlDocument {

    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private YamlDocument() {
    }

    /** The document's tree (an empty mapping for an empty document), or empty when it cannot be read. */
    static Optional<JsonNode> read(byte[] yaml, LoadErrors problems) {
        boolean clean;
        try {
            clean = scan(yaml, problems);
        } catch (JsonProcessingException e) {
            problems.add(where(e), what(e));
            return Optional.empty();
        } catch (IOException e) {
            problems.add(LoadErrors.DOCUMENT, "cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        if (!clean) {
            return Optional.empty();
        }
        try {
            JsonNode tree = MAPPER.readTree(yaml);
            return Optional.of(tree == null || tree.isMissingNode() || tree.isNull()
                    ? JsonNodeFactory.instance.objectNode()
                    : tree);
        } catch (IOException e) {
            // the scan has read the same bytes with the same parser settings
            throw new IllegalStateException("YAML that scanned cleanly did not parse", e);
        }
    }

    /** Walks every token once; false when a problem that the tree would hide was found. */
    private static boolean scan(byte[] yaml, LoadErrors problems) throws IOException {
        boolean clean = true;
        int depth = 0;
        int documents = 0;
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            YAMLParser yamlParser = (YAMLParser) parser;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (depth == 0 && ++documents == 2) {
                    problems.add(LoadErrors.DOCUMENT, "must be a single YAML document");
                    return false;
                }
                if (yamlParser.isCurrentAlias()) {
                    problems.add(at(parser.getParsingContext()), "YAML aliases are not supported");
                    clean = false;
                } else if (token == JsonToken.VALUE_EMBEDDED_OBJECT) {
                    problems.add(at(parser.getParsingContext()), "binary values are not supported");
                    clean = false;
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
            }
        }
        return clean;
    }

    private static String where(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            Mark mark = yaml.getProblemMark();
            return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
        }
        if (e.getProcessor() instanceof JsonParser parser && parser.getParsingContext().inObject()) {
            // a duplicate key: the context is the mapping that repeats it
            return at(parser.getParsingContext().getParent());
        }
        return LoadErrors.DOCUMENT;
    }

    private static String what(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml) {
            return yaml.getProblem();
        }
        if (e.getProcessor() instanceof JsonParser parser && parser.getParsingContext().inObject()
                && e.getOriginalMessage().startsWith("Duplicate field")) {
            return "duplicate key \"" + parser.getParsingContext().getCurrentName() + "\"";
        }
        return e.getOriginalMessage();
    }

    /** The contract path of the context's current value, e.g. {@code agents.bot.api_keys[0]}. */
    private static String at(JsonStreamContext context) {
        String path = path(context);
        return path.isEmpty() ? LoadErrors.DOCUMENT : path;
    }

    private static String path(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = path(context.getParent());
        return context.inArray()
                ? LoadErrors.index(parent, context.getCurrentIndex())
                : LoadErrors.key(parent, String.valueOf(context.getCurrentName()));
    }
}
