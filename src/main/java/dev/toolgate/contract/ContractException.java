package dev.toolgate.contract;

import java.util.List;

/**
 * A contract that cannot be used. Thrown at load, never on the request path; it lists every problem found, each as
 * {@code path: message} (e.g. {@code tools.payments.actions[2].schema: unknown type "strng"}).
 */
public class ContractException extends RuntimeException {

    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> errors;

    /**
     * @param source the file (or other source) the contract came from
     * @param errors every problem found, at least one
     */
    public ContractException(String source, List<String> errors) {
        super(message(source, errors));
        this.source = source;
        this.errors = List.copyOf(errors);
    }

    /** The file (or other source) the contract came from. */
    public String source() {
        return source;
    }

    /** Every problem found, each as {@code path: message}, in document order. */
    public List<String> errors() {
        return errors;
    }

    private static String message(String source, List<String> errors) {
        StringBuilder s = new StringBuilder("contract ").append(source).append(" is invalid (").append(errors.size())
                .append(errors.size() == 1 ? " error):" : " errors):");
        errors.forEach(e -> s.append("\n  ").append(e));
        return s.toString();
    }
}
