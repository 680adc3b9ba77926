package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one contract, each as {@code path: message}, so that a load reports all of them. */
final class LoadErrors {

    /** The path of problems that concern the document as a whole. */
    static final String DOCUMENT = "(document)";

    private final List<String> errors = new ArrayList<>();

    void add(String path, String message) {
        errors.add(path + ": " + message);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** How many problems so far; comparing two counts tells whether a part of the contract added any. */
    int count() {
        return errors.size();
    }

    List<String> list() {
        return List.copyOf(errors);
    }

    /** The path of a mapping's member, e.g. {@code tools.payments}. */
    static String key(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The path of a list's element, e.g. {@code kill_switches[1]}. */
    static String index(String path, int index) {
        return path + "[" + index + "]";
    }
}
