package dev.toolgate.contract;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import com.networknt.schema.Specification;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.dialect.BasicDialectRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.DialectRegistry;
import com.networknt.schema.keyword.NonValidationKeyword;

/**
 * The JSON Schema dialects a tool's declared schema may name in {@code $schema}: draft-04, draft-06, draft-07,
 * 2019-09 and 2020-12, each compiled and checked under its own rules. Any other dialect is unknown, never loaded.
 */
final class SchemaDialects {

    /**
     * networknt knows {@code id} as a keyword of every draft but has a validator for it only in draft-04, so that a
     * later schema carrying {@code id} would not compile; from draft-06 on it is no keyword at all (the identifier is
     * {@code $id}), so it is ignored there, as the drafts say.
     */
    private static final List<Dialect> DECLARED = Arrays.stream(SpecificationVersion.values())
            .map(Specification::getDialect)
            .map(dialect -> dialect.getSpecificationVersion() == SpecificationVersion.DRAFT_4 ? dialect
                    : Dialect.builder(dialect).keyword(new NonValidationKeyword("id")).build())
            .toList();

    private SchemaDialects() {
    }

    /**
     * The draft a {@code $schema} names: its dialect id, with or without the empty fragment {@code #}, over
     * {@code http} or {@code https}; empty for any other value.
     */
    static Optional<SpecificationVersion> named(String dialectId) {
        String named = bare(dialectId);
        return Arrays.stream(SpecificationVersion.values())
                .filter(version -> bare(version.getDialectId()).equals(named))
                .findFirst();
    }

    /**
     * Only the five drafts: a {@code $schema} inside a schema naming any other dialect fails to compile instead of
     * being looked up.
     */
    static DialectRegistry declared() {
        return new BasicDialectRegistry(DECLARED);
    }

    /** The id without its empty fragment, over https. */
    private static String bare(String dialectId) {
        return dialectId.replaceFirst("#$", "").replaceFirst("^http://", "https://");
    }
}
