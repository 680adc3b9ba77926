package dev.toolgate.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Contract;

/**
 * Loads the agent contract (see {@code docs/contract.md}) into immutable records. Everything is validated here, once:
 * names, references, upstream URLs, timeouts, path templates and argument schemas (which are compiled now, so that
 * no call ever compiles or fetches one). A contract with problems is refused whole, with every problem listed.
 * Stateless and thread-safe.
 */
public final class ContractLoader {

    /**
     * Loads a contract file; its revision is {@code sha256:} and the hex SHA-256 of the file's bytes.
     *
     * @throws ContractException when the file cannot be read or has any problem
     */
    public Contract load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ContractException(file.toString(), List.of(LoadErrors.DOCUMENT + ": cannot be read: " + why(e)));
        }
        Path base = file.toAbsolutePath().getParent();
        return read(bytes, "sha256:" + CanonicalJson.sha256Hex(bytes), file.toString(),
                base == null ? Path.of("") : base);
    }

    /**
     * Parses a contract held in memory.
     *
     * @param revision the revision to record, e.g. {@code sha256:…} of the text
     * @throws ContractException when the contract has any problem
     */
    public Contract parse(String yaml, String revision) {
        return read(yaml.getBytes(StandardCharsets.UTF_8), revision, "(inline)", Path.of(""));
    }

    /** @param base the directory that relative paths in the contract (gRPC descriptor sets) are read from */
    private static Contract read(byte[] yaml, String revision, String source, Path base) {
        LoadErrors problems = new LoadErrors();
        Optional<Contract> contract = YamlDocument.read(yaml, problems)
                .flatMap(root -> new ContractReader(problems, base).read(root, revision));
        if (contract.isEmpty() || !problems.isEmpty()) {
            throw new ContractException(source, problems.list());
        }
        return contract.get();
    }

    private static String why(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "no such file";
            case AccessDeniedException denied -> "permission denied";
            default -> e.toString();
        };
    }
}
